/** Retry delays (IMAP reconnects, database retries, outbox redelivery): exponential with "equal jitter", so many workers do not retry in lockstep. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 60_000 };

/** Delay before retry number `attempt` (0-based); `random` in [0, 1) is injected for tests. */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: number): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
