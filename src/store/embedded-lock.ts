/**
 * The lock that makes one process at a time the opener of a PGlite data directory. PGlite is a
 * single-process database: two processes opening the same directory each run their own Postgres over
 * the same files and corrupt them (issue 15). The lock is a file in the directory naming its holder:
 *   - the worker (`start`) holds it for its whole life and serves the database on a Unix socket beside
 *     it (embedded-server.ts); CLI commands then connect to that socket instead of opening the files;
 *   - a CLI command with no worker running holds it while it works on the files itself.
 * A lock whose pid is dead (kill -9, power loss) is stale and taken over; the takeover itself is done
 * under a short-lived guard file, so two processes finding the same stale lock cannot both take it.
 */
import { open, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { SystemClock } from "../clock/clock.js";

export const LOCK_FILE = "support-inbox.lock";
const GUARD_FILE = "support-inbox.lock.takeover";
/** A guard older than this was left by a process that died during its takeover. */
const GUARD_STALE_MS = 10_000;
const wallClock = new SystemClock();

export type LockRole = "worker" | "cli";

export interface LockHolder {
  pid: number;
  role: LockRole;
}

export interface EmbeddedLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Who holds the directory's lock, if anyone alive does (a stale lock reads as free). */
export async function lockHolder(dataDir: string): Promise<LockHolder | null> {
  const holder = await readHolder(join(dataDir, LOCK_FILE));
  return holder && isAlive(holder.pid) ? holder : null;
}

/**
 * One attempt to take the lock: the lock, or the live holder that has it. A stale lock is taken over
 * (under the guard); a lock file that cannot be read yet (its holder is writing it) counts as held.
 */
export async function tryLock(dataDir: string, role: LockRole): Promise<EmbeddedLock | LockHolder> {
  const path = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, role };
  if (await createExclusive(path, JSON.stringify(me))) return lockAt(path);
  const holder = await readHolder(path);
  if (holder === null) return { pid: 0, role: "cli" };
  if (isAlive(holder.pid)) return holder;
  return (await takeOver(dataDir, path, holder, me)) ? lockAt(path) : holder;
}

/** Replaces a dead holder's lock with ours, unless someone else did it first (re-read under the guard). */
async function takeOver(dataDir: string, path: string, dead: LockHolder, me: LockHolder): Promise<boolean> {
  const guard = join(dataDir, GUARD_FILE);
  if (!(await createExclusive(guard, String(process.pid)))) {
    await removeStaleGuard(guard);
    return false;
  }
  try {
    const now = await readHolder(path);
    if (now !== null && (now.pid !== dead.pid || isAlive(now.pid))) return false;
    await unlink(path).catch(ignoreMissing);
    return await createExclusive(path, JSON.stringify(me));
  } finally {
    await unlink(guard).catch(ignoreMissing);
  }
}

function lockAt(path: string): EmbeddedLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      // Only our own lock: a file naming another pid is not ours to remove.
      const holder = await readHolder(path);
      if (holder?.pid === process.pid) await unlink(path).catch(ignoreMissing);
    },
  };
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const handle = await open(path, "wx");
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LockHolder>;
    return typeof parsed.pid === "number" ? { pid: parsed.pid, role: parsed.role === "worker" ? "worker" : "cli" } : null;
  } catch {
    // Missing, or not yet written by a holder that just created it: the caller retries.
    return null;
  }
}

async function removeStaleGuard(guard: string): Promise<void> {
  try {
    const { mtimeMs } = await stat(guard);
    // A file's mtime is wall time, so the wall clock judges it, never a desk clock a test moved.
    if (wallClock.now() - mtimeMs > GUARD_STALE_MS) await unlink(guard).catch(ignoreMissing);
  } catch (error) {
    ignoreMissing(error);
  }
}

/** Signal 0 tests for a process without touching it; EPERM means it exists under another user. */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
