/**
 * Keeps the worker's memory near what it is actually using. Mail lives in Buffers (raw messages,
 * decoded attachments, the driver's wire copies), and a Buffer's memory is freed only when V8 collects
 * its wrapper; V8 starts a collection for Buffers only after about 64 MB of new ones since the last,
 * so a busy mailbox keeps that much dead mail in RSS on top of the live batch. A full collection costs
 * time, though (collecting after every 16 MB of mail cost a quarter of the ingest rate), so the worker
 * collects only when its RSS is over a soft limit, and at most once per `minBytes` of mail.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface MemoryBudget {
  /** Counts `bytes` of mail handled; collects garbage when RSS is over the limit. */
  spend(bytes: number): void;
}

/** V8's collector as a function, exposed at run time (node needs no --expose-gc flag for it). */
export function exposedGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as unknown;
  return typeof gc === "function" ? (gc as () => void) : null;
}

export interface MemoryBudgetOptions {
  /** RSS above which mail's garbage is collected. */
  softLimitBytes: number;
  /** Mail handled between two collections at least, so a large live set does not mean a collection per batch. */
  minBytes: number;
  gc?: (() => void) | null;
  rss?: () => number;
}

export function memoryBudget(options: MemoryBudgetOptions): MemoryBudget {
  const gc = options.gc === undefined ? exposedGc() : options.gc;
  const rss = options.rss ?? (() => process.memoryUsage.rss());
  let spent = 0;
  return {
    spend(bytes) {
      spent += bytes;
      if (gc === null || spent < options.minBytes || rss() <= options.softLimitBytes) return;
      spent = 0;
      gc();
    },
  };
}

const MB = 1024 * 1024;
/** Under the 250 MB the ingest benchmark allows the worker, with room for one batch in flight. */
export const DEFAULT_MEMORY_BUDGET = { softLimitBytes: 176 * MB, minBytes: 8 * MB };
