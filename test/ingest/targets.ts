/**
 * Where the ingest CLI under test keeps its data: an embedded PGlite data directory (closed while the CLI
 * runs: PGlite is single-process) or a fresh Postgres database from testDatabases() (DATABASE_URL).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDatabase, type Db } from "../../src/store/database.js";
import { cleanEnv } from "../cli-start/cli.js";
import { testDatabases } from "../support/db.js";

export interface IngestTarget {
  name: string;
  /** The temp dir holding support-inbox.yaml: the CLI's cwd. */
  dir: string;
  env: NodeJS.ProcessEnv;
  setup(): Promise<void>;
  /** Runs `fn` on the target's database; never while a CLI child runs. */
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  teardown(): Promise<void>;
  toString(): string;
}

async function writeConfig(dir: string): Promise<void> {
  await writeFile(
    join(dir, "support-inbox.yaml"),
    [
      `database:\n  dataDir: ${join(dir, "data")}`,
      "mailboxes:",
      "  - name: support\n    kind: maildir\n    address: support@vendor.example\n    policy: vantiq",
      `    maildir:\n      path: ${join(dir, "maildir")}`,
      "  - name: partners\n    kind: maildir\n    address: partners@vendor.example\n    policy: vantiq",
      `    maildir:\n      path: ${join(dir, "maildir-partners")}`,
      `outboxDir: ${join(dir, "outbox")}`,
      "timeZone: America/Los_Angeles",
      "",
    ].join("\n"),
  );
}

export function ingestTargets(): IngestTarget[] {
  return testDatabases().map((t) => {
    const target: IngestTarget = {
      name: t.name,
      dir: "",
      env: cleanEnv(),
      async setup() {
        target.dir = await mkdtemp(join(tmpdir(), `si-ingest-${t.name}-`));
        await writeConfig(target.dir);
        if (t.name === "postgres") {
          await t.open();
          target.env = cleanEnv({ DATABASE_URL: t.options.url! });
        } else {
          const database = await openDatabase({ dataDir: join(target.dir, "data") });
          await migrate(database).finally(() => database.close());
        }
      },
      async withDb(fn) {
        if (t.name === "postgres") return fn(t.database.db);
        const database = await openDatabase({ dataDir: join(target.dir, "data") });
        try {
          return await fn(database.db);
        } finally {
          await database.close();
        }
      },
      toString: () => t.name,
      async teardown() {
        if (t.name === "postgres") await t.close();
        if (target.dir) await rm(target.dir, { recursive: true, force: true });
      },
    };
    return target;
  });
}
