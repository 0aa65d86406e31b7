/**
 * When to try a temporary delivery failure again: exponential backoff with equal jitter, capped,
 * and a limit after which the row is marked failed (a day of retries covers a long SMTP outage).
 */
import { backoffDelay } from "../clock/backoff.js";

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
  // Half fixed, half jitter (clock/backoff.ts): never retry immediately, and workers that failed together spread out.
  return backoffDelay(Math.max(0, attempts - 1), { initialMs: policy.baseMs, maxMs: policy.maxDelayMs }, random);
}

export function shouldGiveUp(attempts: number, policy: RetryPolicy = DEFAULT_RETRY): boolean {
  return attempts >= policy.maxAttempts;
}
