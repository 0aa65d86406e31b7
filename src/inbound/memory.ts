/**
 * Keeps the worker's memory near what it is actually using. Mail lives in Buffers (raw messages,
 * decoded attachments, the driver's wire copies), and a Buffer's memory is freed only when V8 collects
 * its wrapper; V8 starts a full collection for Buffers only after about 64 MB of new ones since the
 * last, so a busy mailbox keeps that much dead mail in RSS on top of the live batch.
 *
 * After every `minBytes` of mail the worker therefore asks for a collection itself:
 *  - a young-generation one (a scavenge, about a millisecond) while RSS is under the soft limit: most of
 *    a batch's Buffers die young, and freeing them early also spares V8 full collections it would start
 *    for their external memory (measured: 9.2 ms of CPU per benchmark message instead of 10.4 without);
 *  - over the limit, a full one, incremental and marked on V8's helper threads as its own are, so the
 *    worker never stops for it. A synchronous full collection cost 130 ms of CPU each, a third of the
 *    ingest rate when it ran every 8 MB.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface MemoryBudget {
  /** Counts `bytes` of mail handled; asks for a collection after every `minBytes`. */
  spend(bytes: number): void;
}

/** V8's `gc({ type, execution })`, as the --expose-gc flag defines it. */
export type Collector = (options: { type: "minor" | "major"; execution: "sync" | "async" }) => void;

/** V8's collector as a function, exposed at run time (node needs no --expose-gc flag for it). */
export function exposedGc(): Collector | null {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === "function") return existing as Collector;
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as unknown;
  return typeof gc === "function" ? (gc as Collector) : null;
}

export interface MemoryBudgetOptions {
  /** RSS above which a full collection is started. */
  softLimitBytes: number;
  /** Mail handled between two collections. */
  minBytes: number;
  gc?: Collector | null;
  rss?: () => number;
}

export function memoryBudget(options: MemoryBudgetOptions): MemoryBudget {
  const gc = options.gc === undefined ? exposedGc() : options.gc;
  const rss = options.rss ?? (() => process.memoryUsage.rss());
  let spent = 0;
  return {
    spend(bytes) {
      spent += bytes;
      if (gc === null || spent < options.minBytes) return;
      spent = 0;
      if (rss() > options.softLimitBytes) gc({ type: "major", execution: "async" });
      else gc({ type: "minor", execution: "sync" });
    },
  };
}

const MB = 1024 * 1024;
/**
 * Under the 250 MB the ingest benchmark allows the worker, with room for the batches in flight and for
 * the collection to finish (with the image's --max-semi-space-size=4, see Dockerfile).
 */
export const DEFAULT_MEMORY_BUDGET = { softLimitBytes: 190 * MB, minBytes: 8 * MB };
