/**
 * Session-level advisory locks that tell workers on one Postgres about each other, with no table of
 * their own: Postgres drops a session's locks the moment its connection ends, so a lock's absence is
 * proof that its holder is gone (a `kill -9` closes the socket; a vanished host is left to the outbox
 * lease). Each worker holds, on one dedicated connection:
 *   - its presence lock (WORKER_NS, workerId): outbox rows it claims carry workerId, and a claim whose
 *     holder has no presence lock is free at once (repos/outbox.ts), not after its lease;
 *   - one lock per mailbox it drains (MAILBOX_NS, hash of the name): one owner per mailbox.
 * On PGlite there is one process and one session: the same calls run on it and always succeed.
 */
import { createHash, randomInt } from "node:crypto";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { executeRows, type Database, type Db } from "./database.js";
import * as schema from "./schema/index.js";

/** First key of the two-key advisory locks; the one-key space (used by test/support/db.ts) is apart. */
export const WORKER_NS = 0x5157_0001;
const MAILBOX_NS = 0x5157_0002;

export interface WorkerLocks {
  /** Written on the outbox rows this worker claims. */
  readonly workerId: number;
  /** Makes sure the presence lock is held (it is lost with its connection, e.g. a database restart). */
  present(): Promise<number>;
  /** Takes the mailbox's lock or confirms it is still ours; false while another worker holds it. */
  holdMailbox(name: string): Promise<boolean>;
  releaseMailbox(name: string): Promise<void>;
  /** Ends the session: every lock goes with it. */
  close(): Promise<void>;
}

/** A mailbox name as the second key: 31 bits of its SHA-256, so every worker computes the same. */
export function mailboxKey(name: string): number {
  return createHash("sha256").update(name).digest().readUInt32BE(0) & 0x7fff_ffff;
}

/** Whether this session holds (ns, key): after a reconnect the driver's new session does not. */
async function holds(db: Db, ns: number, key: number): Promise<boolean> {
  const [row] = await executeRows<{ held: boolean }>(
    db,
    sql`select exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()
          and classid = ${ns}::oid and objid = ${key}::oid and objsubid = 2 and granted) as held`,
  );
  return row?.held === true;
}

async function tryLock(db: Db, ns: number, key: number): Promise<boolean> {
  const [row] = await executeRows<{ locked: boolean }>(db, sql`select pg_try_advisory_lock(${ns}::int, ${key}::int) as locked`);
  return row?.locked === true;
}

/** Held if ours already (checked, not assumed), else taken if free; never stacked twice in one session. */
async function hold(db: Db, ns: number, key: number): Promise<boolean> {
  return (await holds(db, ns, key)) || tryLock(db, ns, key);
}

/**
 * Opens the locks session: on Postgres a connection of its own (max 1), so the locks live exactly as long
 * as this worker and never go back to a pool; on PGlite the database's one session.
 */
export async function openWorkerLocks(database: Database, url?: string): Promise<WorkerLocks> {
  // Never the pool: a session lock taken on a pooled connection would be held by whoever gets it next.
  if (database.kind === "postgres" && !url) throw new Error("openWorkerLocks: the Postgres URL is needed for a session of its own");
  const client = database.kind === "postgres" ? postgres(url!, { max: 1, onnotice: () => {} }) : null;
  const db = client ? (drizzle({ client, schema }) as unknown as Db) : database.db;
  const mailboxes = new Set<string>();
  let workerId = 0;
  // A random id: a restarted worker is a new one, so the claims of its previous life are free at once.
  do workerId = randomInt(1, 0x7fff_ffff);
  while (!(await tryLock(db, WORKER_NS, workerId)));
  async function release(name: string): Promise<void> {
    const key = mailboxKey(name);
    mailboxes.delete(name);
    if (await holds(db, MAILBOX_NS, key)) await executeRows(db, sql`select pg_advisory_unlock(${MAILBOX_NS}::int, ${key}::int)`);
  }
  return {
    workerId,
    async present() {
      // Lost only with the session; taken again under the same id so our rows in flight stay ours.
      if (!(await hold(db, WORKER_NS, workerId))) throw new Error(`worker id ${workerId} taken by another session`);
      return workerId;
    },
    async holdMailbox(name) {
      const held = await hold(db, MAILBOX_NS, mailboxKey(name));
      if (held) mailboxes.add(name);
      return held;
    },
    releaseMailbox: release,
    async close() {
      if (client) return client.end({ timeout: 5 });
      // PGlite's one session outlives this worker: give back what it took, one by one.
      for (const name of [...mailboxes]) await release(name);
      await executeRows(db, sql`select pg_advisory_unlock(${WORKER_NS}::int, ${workerId}::int)`);
    },
  };
}
