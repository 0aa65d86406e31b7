/**
 * Trying database work again after a transient failure (store/errors.ts isRetryable: serialization failure,
 * deadlock, a restarting or unreachable server), with jittered exponential backoff. Anything else, the
 * last failure once attempts run out, or any failure after the signal aborts, is thrown to the caller.
 */
import { backoffDelay } from "../clock/backoff.js";
import { SystemClock } from "../clock/clock.js";
import { isRetryable } from "./errors.js";

export interface RetryTransientOptions {
  /** Tries in all, the first included (default 4). */
  attempts?: number;
  /** Ceiling of the first wait, doubled per retry up to maxMs (defaults 100 ms and 5 s). */
  baseMs?: number;
  maxMs?: number;
  /** Aborting stops the retries: the failure in hand is thrown. */
  signal?: AbortSignal;
  /** How to wait; resolves early when the signal aborts (default: the system clock). Workers pass their clock's. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1); injected by tests. */
  random?: () => number;
  /** Told before each wait, e.g. to log that the work will be tried again. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const systemClock = new SystemClock();

export async function retryTransient<T>(fn: (attempt: number) => Promise<T>, opts: RetryTransientOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 4);
  const backoff = { initialMs: opts.baseMs ?? 100, maxMs: opts.maxMs ?? 5_000 };
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => systemClock.sleep(ms, signal));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error) || opts.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt - 1, backoff, (opts.random ?? Math.random)());
      opts.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, opts.signal);
      if (opts.signal?.aborted) throw error;
    }
  }
}
