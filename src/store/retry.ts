/** Placeholder until the catalogue branch lands: retries fn while the error is retryable. */
import { isRetryable } from "./errors.js";

export async function retryTransient<T>(fn: () => Promise<T>, opts: { attempts?: number; baseMs?: number; signal?: AbortSignal; sleep?: (ms: number) => Promise<void> } = {}): Promise<T> {
  const attempts = opts.attempts ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (!isRetryable(error) || i >= attempts || opts.signal?.aborted) throw error;
      await sleep((opts.baseMs ?? 50) * 2 ** (i - 1) * (0.5 + Math.random()));
    }
  }
}
