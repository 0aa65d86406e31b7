/**
 * How a process reaches the embedded database in a data directory so that only one ever opens it:
 *   - the worker takes the directory's lock (embedded-lock.ts), opens PGlite and serves it on a Unix
 *     socket in the directory (embedded-server.ts) until it stops;
 *   - a CLI command connects to that socket when a worker holds the lock, and otherwise takes the lock
 *     and opens the directory itself, for as long as the command runs.
 * A process that finds the lock held by the other kind waits for it (a CLI command is short; a worker
 * is still starting up) up to `lockWaitMs`; a second worker is refused at once.
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { PGlite } from "@electric-sql/pglite";
import { AppError } from "../errors.js";
import { lockHolder, tryLock, type EmbeddedLock, type LockHolder, type LockRole } from "./embedded-lock.js";
import { serveEmbedded, SOCKET_FILE } from "./embedded-server.js";

/** database.ts's Database, restated here so that this file does not import the one that imports it. */
export interface Database<D = unknown> {
  db: D;
  kind: "postgres" | "pglite";
  embedded?: "direct" | "served" | "socket";
  close(): Promise<void>;
}

export interface EmbeddedOpen<D> {
  dataDir: string;
  lockWaitMs: number;
  openPglite(dataDir: string): Promise<Database<D> & { client: PGlite }>;
  openSocket(socketPath: string): Promise<Database<D>>;
}

const RETRY_MS = 100;
/** Linux's limit on a Unix socket's path (sun_path is 108 bytes with its terminating zero). */
const MAX_SOCKET_PATH = 107;

export async function openEmbeddedServed<D>(how: EmbeddedOpen<D>): Promise<Database<D>> {
  const socketPath = socketPathIn(how.dataDir);
  const lock = await waitForLock(how, "worker");
  try {
    const database = await how.openPglite(how.dataDir);
    const server = await serveEmbedded(database.client, socketPath).catch(async (error: unknown) => {
      await database.close();
      throw new AppError("E_DB_OPEN", `cannot serve the embedded database on ${socketPath}: ${(error as Error).message}`, undefined, { cause: error });
    });
    return {
      db: database.db,
      kind: "pglite",
      embedded: "served",
      async close() {
        // Clients first, so none is cut off mid-query by the database closing under it.
        await server.close();
        await database.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

export async function openEmbeddedClient<D>(how: EmbeddedOpen<D>): Promise<Database<D>> {
  const socketPath = socketPathIn(how.dataDir);
  const deadline = performance.now() + how.lockWaitMs;
  let lastError: unknown = null;
  for (;;) {
    const holder = await lockHolder(how.dataDir);
    if (holder?.role === "worker") {
      try {
        return await how.openSocket(socketPath);
      } catch (error) {
        // The worker holds the lock but is not serving yet (opening, migrating): try again shortly.
        lastError = error;
      }
    } else {
      const taken = await tryLock(how.dataDir, "cli");
      if ("release" in taken) return openDirect(how, taken);
    }
    if (performance.now() > deadline) throw lockedError(how, holder, lastError);
    await sleep(RETRY_MS);
  }
}

async function openDirect<D>(how: EmbeddedOpen<D>, lock: EmbeddedLock): Promise<Database<D>> {
  try {
    const database = await how.openPglite(how.dataDir);
    return {
      db: database.db,
      kind: "pglite",
      embedded: "direct",
      async close() {
        await database.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** The worker waits while a CLI command holds the directory, and refuses to run beside another worker. */
async function waitForLock<D>(how: EmbeddedOpen<D>, role: LockRole): Promise<EmbeddedLock> {
  const deadline = performance.now() + how.lockWaitMs;
  for (;;) {
    const taken = await tryLock(how.dataDir, role);
    if ("release" in taken) return taken;
    if (taken.role === "worker") {
      throw new AppError(
        "E_DB_LOCKED",
        `another worker (pid ${taken.pid}) is already running on the embedded database in ${how.dataDir}: stop it first, or give this one a database.dataDir of its own`,
        { pid: taken.pid },
      );
    }
    if (performance.now() > deadline) throw lockedError(how, taken, null);
    await sleep(RETRY_MS);
  }
}

function lockedError<D>(how: EmbeddedOpen<D>, holder: LockHolder | null, cause: unknown): AppError {
  const who = holder === null ? "another process" : holder.role === "worker" ? `the worker (pid ${holder.pid})` : `a CLI command (pid ${holder.pid})`;
  const why = cause instanceof Error ? `: ${cause.message}` : "";
  return new AppError(
    "E_DB_LOCKED",
    `the embedded database in ${how.dataDir} is held by ${who} and did not become available within ${Math.round(how.lockWaitMs / 1000)} s${why}`,
    { pid: holder?.pid },
    { cause },
  );
}

/** The socket's path, relative to the working directory when the absolute one is too long for a socket. */
export function socketPathIn(dataDir: string): string {
  const absolute = resolve(dataDir, SOCKET_FILE);
  if (absolute.length <= MAX_SOCKET_PATH) return absolute;
  const shorter = relative(process.cwd(), absolute);
  if (!isAbsolute(shorter) && shorter.length <= MAX_SOCKET_PATH) return shorter;
  throw new AppError("E_DB_OPEN", `the data directory's path is too long for its socket (${join(dataDir, SOCKET_FILE)}): use a shorter database.dataDir`);
}
