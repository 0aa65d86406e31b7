/**
 * When to try a temporary delivery failure again: exponential backoff with full jitter, capped,
 * and a limit after which the row is marked failed (a day of retries covers a long SMTP outage).
 */
export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 30_000, maxDelayMs: 30 * 60_000, maxAttempts: 60 };

/**
 * Delay before attempt `attempts + 1`, given `attempts` made so far (≥ 1).
 * `random` in [0, 1) is a parameter so the rule stays pure and testable.
 */
export function retryDelay(attempts: number, random: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  // Half fixed, half jitter: never retry immediately, and workers that failed together spread out.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export function shouldGiveUp(attempts: number, policy: RetryPolicy = DEFAULT_RETRY): boolean {
  return attempts >= policy.maxAttempts;
}
