/**
 * Opens the one database the service uses: a Postgres server through postgres.js when a URL is
 * given, else an embedded PGlite persisted in a data directory. Everything above this file sees
 * the same drizzle `Db` type, so repositories and tests run unchanged on both.
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { openEmbeddedClient, openEmbeddedServed, type EmbeddedOpen } from "./embedded-open.js";
import { sql, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { AppError } from "../errors.js";
import { createPostgresClient, typesLoaded } from "./postgres-client.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
/** A drizzle database or a transaction on it: repositories take this as their first argument. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** Runs raw SQL and returns its rows: postgres.js answers with an array, PGlite with `{ rows }`. */
export async function executeRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

/** One round trip: the worker's probe of whether the database is back (worker/database-watch.ts). */
export async function ping(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}

export interface DatabaseOptions {
  /** postgres:// URL; unset → embedded PGlite. */
  url?: string;
  /** PGlite's directory (created if missing); "memory://" keeps it in memory (tests). */
  dataDir: string;
  /** postgres.js pool size (default 10). */
  maxConnections?: number;
  /**
   * The worker (`start`): holds the data directory's lock for its whole life and serves the embedded
   * database to CLI commands on a socket in it. Otherwise (CLI): through that socket when a worker runs,
   * else the directory opened under the lock (store/embedded-open.ts).
   */
  serve?: boolean;
  /** How long to wait for another process's lock on the data directory (default 60 s). */
  lockWaitMs?: number;
}

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** For an embedded data directory: opened here ("direct", "served" by this worker) or reached through the worker's socket. */
  embedded?: "direct" | "served" | "socket";
  close(): Promise<void>;
}

/** Committed migrations, resolved relative to this file so it works from src/ (tsx) and dist/. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10);
  if (options.dataDir.startsWith("memory://")) return openPglite(options.dataDir);
  await mkdir(options.dataDir, { recursive: true });
  const how: EmbeddedOpen<Db> = { dataDir: options.dataDir, lockWaitMs: options.lockWaitMs ?? 60_000, openPglite, openSocket };
  return options.serve ? openEmbeddedServed(how) : openEmbeddedClient(how);
}

/** The worker's PGlite through its socket: postgres.js as with DATABASE_URL, the socket path as host. */
async function openSocket(socketPath: string): Promise<Database> {
  const database = await openPostgres("postgres://postgres@localhost:5432/postgres", 2, { path: socketPath, prepare: false });
  return { ...database, embedded: "socket" };
}

async function openPostgres(url: string, max: number, extra: Record<string, unknown> = {}): Promise<Database> {
  const client = createPostgresClient(url, max, extra);
  try {
    await client`select 1`;
    typesLoaded(client);
  } catch (error) {
    await client.end({ timeout: 1 });
    throw new AppError("E_DB_CONNECT", `cannot connect to Postgres at ${redactUrl(url)}: ${messageOf(error)}`, undefined, {
      cause: error,
    });
  }
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return { db, kind: "postgres", close: () => client.end({ timeout: 5 }) };
}

async function openPglite(dataDir: string): Promise<Database & { client: import("@electric-sql/pglite").PGlite }> {
  const inMemory = dataDir.startsWith("memory://");
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  // Loaded only when used: PGlite costs ~50 MB of memory just by being imported, which a Postgres
  // deployment should not pay.
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle: drizzlePglite } = await import("drizzle-orm/pglite");
  let client: InstanceType<typeof PGlite>;
  try {
    client = inMemory ? await PGlite.create() : await PGlite.create(dataDir);
  } catch (error) {
    throw new AppError("E_DB_OPEN", `cannot open the embedded database in ${dataDir}: ${messageOf(error)}`, undefined, {
      cause: error,
    });
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return { db, kind: "pglite", client, close: () => client.close() };
}

/** Applies pending committed migrations (drizzle's migrator for the driver in use). */
export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === "postgres") {
    await migratePostgres(database.db as unknown as Parameters<typeof migratePostgres>[0], config);
  } else {
    const { migrate: migratePglite } = await import("drizzle-orm/pglite/migrator");
    await migratePglite(database.db as unknown as Parameters<typeof migratePglite>[0], config);
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
