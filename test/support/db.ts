/**
 * Database targets for integration tests: PGlite always (in memory, migrated), plus the real
 * Postgres at TEST_DATABASE_URL when set. Each target opened gives the test file its own fresh
 * database: on Postgres a CREATE DATABASE ... TEMPLATE of a template migrated once per set of
 * migrations (graphile-worker's trick), dropped again on close, so files never see each other's rows.
 *
 *   describe.each(testDatabases())("store on %s", (target) => {
 *     let db: Db;
 *     beforeAll(async () => { db = await target.open(); });
 *     afterAll(() => target.close());
 *   });
 */
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import {
  MIGRATIONS_FOLDER,
  migrate,
  openDatabase,
  type Database,
  type DatabaseOptions,
  type Db,
} from "../../src/store/database.js";

export interface TestDatabase {
  readonly name: "pglite" | "postgres";
  /** Creates this target's fresh, migrated database and returns its drizzle handle. */
  open(): Promise<Db>;
  /** The open database (kind + close), for code that takes a Database rather than a Db. */
  readonly database: Database;
  /**
   * Options that reach the same database, for code under test that opens its own connection
   * (a CLI command, a second worker). PGlite in memory cannot be shared: use `connect()` there.
   */
  readonly options: DatabaseOptions;
  /** A further, independent connection to the same database (PGlite: the same handle, close is a no-op). */
  connect(): Promise<Database>;
  /** Closes every connection and drops the database. */
  close(): Promise<void>;
  toString(): string;
}

let skipNoticePrinted = false;

export function testDatabases(): TestDatabase[] {
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (!url && !skipNoticePrinted) {
    skipNoticePrinted = true;
    console.warn("store tests: TEST_DATABASE_URL is not set, so only PGlite runs; set it (e.g. postgres://postgres@127.0.0.1:5432/test) to also test real Postgres.");
  }
  return url ? [pgliteTarget(), postgresTarget(url)] : [pgliteTarget()];
}

function pgliteTarget(): TestDatabase {
  let database: Database | undefined;
  return {
    name: "pglite",
    options: { dataDir: "memory://" },
    get database() {
      if (!database) throw new Error("pglite target: call open() first");
      return database;
    },
    async open() {
      database = await openDatabase({ dataDir: "memory://" });
      await migrate(database);
      return database.db;
    },
    async connect() {
      const shared = this.database;
      return { db: shared.db, kind: shared.kind, close: async () => {} };
    },
    async close() {
      await database?.close();
      database = undefined;
    },
    toString: () => "pglite",
  };
}

function postgresTarget(adminUrl: string): TestDatabase {
  let database: Database | undefined;
  let dbName: string | undefined;
  const others: Database[] = [];
  const urlFor = (name: string) => withDatabaseName(adminUrl, name);
  return {
    name: "postgres",
    get options() {
      if (!dbName) throw new Error("postgres target: call open() first");
      return { url: urlFor(dbName), dataDir: "memory://" };
    },
    get database() {
      if (!database) throw new Error("postgres target: call open() first");
      return database;
    },
    async open() {
      dbName = await createFreshDatabase(adminUrl);
      database = await openDatabase({ url: urlFor(dbName), dataDir: "memory://" });
      return database.db;
    },
    async connect() {
      const another = await openDatabase(this.options);
      others.push(another);
      return another;
    },
    async close() {
      for (const d of others.splice(0)) await d.close();
      await database?.close();
      database = undefined;
      if (dbName) await admin(adminUrl, (sql) => sql.unsafe(`drop database if exists "${dbName}" with (force)`));
      dbName = undefined;
    },
    toString: () => "postgres",
  };
}

/** Clones the migrated template (creating it first if these migrations have none yet). */
async function createFreshDatabase(adminUrl: string): Promise<string> {
  const template = `si_tpl_${await migrationsHash()}`;
  const name = `si_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin(adminUrl, async (sql) => {
    // Serialise template creation and cloning across the test processes running in parallel.
    await sql`select pg_advisory_lock(847361)`;
    try {
      const [found] = await sql`select 1 from pg_database where datname = ${template}`;
      if (!found) await buildTemplate(sql, adminUrl, template);
      await dropOrphans(sql);
      await sql.unsafe(`create database "${name}" template "${template}"`);
    } finally {
      await sql`select pg_advisory_unlock(847361)`;
    }
  });
  return name;
}

/** Migrates under a temporary name and renames when done, so a half-built template is never used. */
async function buildTemplate(sql: postgres.Sql, adminUrl: string, template: string): Promise<void> {
  const building = `${template}_building`;
  await sql.unsafe(`drop database if exists "${building}" with (force)`);
  await sql.unsafe(`create database "${building}"`);
  const database = await openDatabase({ url: withDatabaseName(adminUrl, building), dataDir: "memory://", maxConnections: 1 });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  await sql.unsafe(`alter database "${building}" rename to "${template}"`);
}

/** Databases left by test processes that died before their afterAll (this machine only: pid in the name). */
async function dropOrphans(sql: postgres.Sql): Promise<void> {
  const rows = await sql<{ datname: string }[]>`select datname from pg_database where datname like 'si\\_test\\_%'`;
  for (const { datname } of rows) {
    const pid = Number(datname.split("_")[2]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) {
      await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function admin<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

let hashCache: string | undefined;
async function migrationsHash(): Promise<string> {
  if (hashCache) return hashCache;
  const hash = createHash("sha256");
  for (const dir of [MIGRATIONS_FOLDER, join(MIGRATIONS_FOLDER, "meta")]) {
    const files = (await readdir(dir)).filter((f) => /\.(sql|json)$/.test(f)).sort();
    for (const f of files) hash.update(f).update(await readFile(join(dir, f)));
  }
  hashCache = hash.digest("hex").slice(0, 12);
  return hashCache;
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
