/**
 * The worker_threads behind createParsePool (parse-pool.ts). Threads start on demand (a pool that is
 * never used costs nothing) and a thread that dies is replaced the same way, by the next parse that
 * needs a slot, so a thread that cannot start does not respawn in a loop.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { AppError } from "../errors.js";
import type { NormalizedMessage, ParseLimits } from "./message.js";
import type { MessageParser } from "./message.js";
import { decodeReply, encodeRequest, type ParseReply } from "./parse-pool-wire.js";

/**
 * A failure of the pool itself, not of the message: E_PARSE_POOL_SETUP (the thread entry cannot be found or
 * loaded), E_PARSE_POOL_CLOSED (parse after or during close), E_PARSE_THREAD_DIED (the thread parsing it crashed
 * or ran out of memory; the next parse gets a new thread).
 */
export class ParsePoolError extends AppError {
  constructor(
    code: "E_PARSE_POOL_SETUP" | "E_PARSE_POOL_CLOSED" | "E_PARSE_THREAD_DIED",
    message: string,
    details?: Record<string, unknown>,
    cause?: unknown,
  ) {
    super(code, message, details, { cause });
    this.name = "ParsePoolError";
  }
}

interface Pending {
  bytes: number;
  resolve: (message: NormalizedMessage) => void;
  reject: (error: Error) => void;
}

interface Thread {
  readonly index: number;
  readonly worker: Worker;
  readonly inFlight: Map<number, Pending>;
  bytesInFlight: number;
  /** What killed it, when the thread reported it ('error' comes before 'exit'). */
  cause?: Error;
}

export interface WorkerEntry {
  file: URL;
  /** Set for the TypeScript entry (tsx, vitest): file URL of tsx's ESM API, registered in the thread before the entry loads. */
  tsxApi?: string;
}

/**
 * parse-worker next to this module: .js in the compiled build, .ts when this module runs from source
 * (tsx, vitest); then the thread needs tsx, resolved from this package rather than the working directory.
 */
export function resolveWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  const fromSource = fileURLToPath(moduleUrl).endsWith(".ts");
  const file = new URL(fromSource ? "./parse-worker.ts" : "./parse-worker.js", moduleUrl);
  if (!existsSync(file)) {
    throw new ParsePoolError(
      "E_PARSE_POOL_SETUP",
      `parser thread entry ${fileURLToPath(file)} does not exist (the compiled build must contain parse-worker.js next to parse-pool.js: run npm run build)`,
      { file: fileURLToPath(file) },
    );
  }
  return fromSource ? { file, tsxApi: tsxEsmApi(moduleUrl) } : { file };
}

/** tsx's "tsx/esm/api" (import condition), found through the package's exports map. */
function tsxEsmApi(moduleUrl: string): string {
  try {
    const manifest = createRequire(moduleUrl).resolve("tsx/package.json");
    const exportsMap = (JSON.parse(readFileSync(manifest, "utf8")) as { exports?: Record<string, { import?: { default?: unknown } }> }).exports;
    const target = exportsMap?.["./esm/api"]?.import?.default;
    if (typeof target !== "string") throw new Error(`${manifest} exports no "./esm/api" import`);
    return pathToFileURL(join(dirname(manifest), target)).href;
  } catch (cause) {
    throw new ParsePoolError(
      "E_PARSE_POOL_SETUP",
      `running from TypeScript source, the parser threads need tsx's ESM API, which does not resolve from ${fileURLToPath(moduleUrl)}: ${(cause as Error).message} (npm install, or run the compiled build)`,
      {},
      cause,
    );
  }
}

/**
 * On Node 20, `execArgv: ["--import", "tsx"]` does not reach a thread's entry module (nodejs/node#47747):
 * the thread starts from a small script that registers tsx's hooks itself, then imports the entry.
 * A failure to load either is an unhandled rejection, which ends the thread with that error.
 */
function spawn(entry: WorkerEntry): Worker {
  if (entry.tsxApi === undefined) return new Worker(entry.file);
  const bootstrap = `import(${JSON.stringify(entry.tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.file.href)}); });`;
  return new Worker(bootstrap, { eval: true, execArgv: [] });
}

export class ParsePool implements MessageParser {
  /** Two per thread: each thread has the next message queued while it parses one. */
  readonly inFlight: number;
  private readonly slots: Array<Thread | null>;
  private readonly entry: WorkerEntry;
  private nextId = 1;
  private closed = false;

  constructor(threads: number, entry: WorkerEntry = resolveWorkerEntry()) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new ParsePoolError("E_PARSE_POOL_SETUP", `parser pool threads must be a whole number >= 1, got ${threads}`, { threads });
    }
    this.inFlight = 2 * threads;
    this.slots = Array.from({ length: threads }, () => null);
    this.entry = entry;
  }

  parse(raw: Buffer, limits: ParseLimits): Promise<NormalizedMessage> {
    if (this.closed) {
      return Promise.reject(new ParsePoolError("E_PARSE_POOL_CLOSED", "parser pool is closed: parse() was called after close()"));
    }
    let thread: Thread;
    try {
      thread = this.leastBusy();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const id = this.nextId++;
    return new Promise<NormalizedMessage>((resolve, reject) => {
      const { request, transfer } = encodeRequest(id, raw, limits); // a throw here rejects, as parseMessage would
      thread.inFlight.set(id, { bytes: raw.byteLength, resolve, reject });
      thread.bytesInFlight += raw.byteLength;
      // Only a thread with work keeps the process alive, so a CLI can exit with the pool open.
      if (thread.inFlight.size === 1) thread.worker.ref();
      try {
        thread.worker.postMessage(request, transfer);
      } catch (error) {
        this.take(thread, id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const running = this.slots.filter((t): t is Thread => t !== null);
    this.slots.fill(null);
    for (const thread of running) {
      this.rejectAll(thread, (n) => new ParsePoolError("E_PARSE_POOL_CLOSED", `parser pool was closed with ${n} message(s) still being parsed on thread ${thread.index}`, { thread: thread.index }));
    }
    await Promise.all(running.map((t) => t.worker.terminate()));
  }

  /**
   * The live worker in each slot (null: not started, or died and not yet replaced). Internal: lets tests kill a
   * thread from outside, as a crash or an OOM would; not part of MessageParser.
   */
  workers(): Array<Worker | null> {
    return this.slots.map((t) => t?.worker ?? null);
  }

  /** Fewest bytes in flight, then fewest messages, then the lowest slot (so light use stays on one thread). */
  private leastBusy(): Thread {
    let best = 0;
    const load = (i: number): [number, number] => [this.slots[i]?.bytesInFlight ?? 0, this.slots[i]?.inFlight.size ?? 0];
    for (let i = 1; i < this.slots.length; i++) {
      const [bytes, count] = load(i);
      const [bestBytes, bestCount] = load(best);
      if (bytes < bestBytes || (bytes === bestBytes && count < bestCount)) best = i;
    }
    return this.slots[best] ?? this.start(best);
  }

  private start(index: number): Thread {
    const worker = spawn(this.entry);
    worker.unref();
    const thread: Thread = { index, worker, inFlight: new Map(), bytesInFlight: 0 };
    this.slots[index] = thread;
    worker.on("message", (reply: ParseReply) => {
      const pending = this.take(thread, reply.id);
      if (pending === undefined) return; // rejected by close() meanwhile
      const decoded = decodeReply(reply);
      if (decoded.ok) pending.resolve(decoded.message);
      else pending.reject(decoded.error);
    });
    worker.on("error", (error) => {
      thread.cause = error;
    });
    worker.on("messageerror", (error) => {
      // A reply that cannot be deserialized belongs to an unknown parse: end the thread so that every
      // parse it holds fails with this cause instead of waiting forever.
      thread.cause = error;
      void worker.terminate();
    });
    worker.on("exit", (code) => {
      if (this.slots[index] === thread) this.slots[index] = null;
      const why = thread.cause !== undefined ? `${thread.cause.name}: ${thread.cause.message}` : `it exited with code ${code} without reporting an error (terminated, or process.exit)`;
      this.rejectAll(
        thread,
        (n) =>
          new ParsePoolError(
            "E_PARSE_THREAD_DIED",
            `MIME parser thread ${index} died with ${n} message(s) in flight: ${why}; the next parse starts a new thread`,
            { thread: index, exitCode: code },
            thread.cause,
          ),
      );
    });
    return thread;
  }

  private take(thread: Thread, id: number): Pending | undefined {
    const pending = thread.inFlight.get(id);
    if (pending === undefined) return undefined;
    thread.inFlight.delete(id);
    thread.bytesInFlight -= pending.bytes;
    if (thread.inFlight.size === 0) thread.worker.unref();
    return pending;
  }

  private rejectAll(thread: Thread, error: (inFlight: number) => Error): void {
    const n = thread.inFlight.size;
    for (const id of [...thread.inFlight.keys()]) this.take(thread, id)?.reject(error(n));
  }
}
