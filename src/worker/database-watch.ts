/**
 * The worker's view of whether the database is there. The first connection loss any service or job
 * reports (store/errors.ts isConnectionLoss) logs one warning and marks the database down; while it is
 * down the services wait and the jobs are skipped instead of failing every round, and one prober (started
 * by the first of them to find the database down) tries `select 1` with capped, jittered backoff. Its first success logs one info line and lets everyone resume at once.
 */
import { backoffDelay } from "../clock/backoff.js";
import type { Clock } from "../clock/clock.js";
import { isConnectionLoss } from "../store/errors.js";
import type { Job } from "./run.js";

export interface DatabaseWatchOptions {
  clock: Clock;
  logger: Record<"warn" | "info" | "debug", (fields: object, msg: string) => void>;
  /** One round trip to the database; throws while it is unreachable. */
  probe: () => Promise<void>;
  /** Probe backoff: first wait and ceiling (defaults 250 ms and 5 s). */
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
}

export class DatabaseWatch {
  private downSince: number | null = null;
  private backListeners: Array<() => void> = [];
  private waiters = new Set<() => void>();
  private probing: Promise<void> | null = null;

  constructor(private readonly opts: DatabaseWatchOptions) {}

  get up(): boolean {
    return this.downSince === null;
  }

  /** Called when the database is back, after the info line (e.g. to wake the outbox). */
  onBack(listener: () => void): void {
    this.backListeners.push(listener);
  }

  /**
   * Tells the watch about a failure of database work. True when it is a connection loss: the watch has
   * taken it over (logged it once per outage), and the caller should not log it again.
   */
  failed(error: unknown): boolean {
    if (!isConnectionLoss(error)) return false;
    if (this.downSince === null) {
      this.downSince = this.opts.clock.now();
      this.opts.logger.warn({ error: messageOf(error) }, "database unavailable; pausing work and retrying until it is back");
    }
    return true;
  }

  /**
   * Resolves at once while the database is up, else when it is back or the signal aborts. The first
   * waiter starts the prober; the others share it (every caller passes the worker's one signal).
   */
  async ready(signal: AbortSignal): Promise<void> {
    if (this.up || signal.aborted) return;
    this.startProbing(signal);
    await new Promise<void>((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** A job that is skipped while the database is down (keeping the prober going) and hands a connection loss to the watch. */
  guard(job: Job): Job {
    return {
      name: job.name,
      run: async (signal) => {
        if (!this.up) return this.startProbing(signal);
        try {
          await job.run(signal);
        } catch (error) {
          if (!this.failed(error)) throw error;
        }
      },
    };
  }

  private startProbing(signal: AbortSignal): void {
    if (this.probing || this.up) return;
    this.probing = this.probe(signal).finally(() => (this.probing = null));
  }

  /** One `select 1` after each backoff delay until one succeeds or the worker stops. */
  private async probe(signal: AbortSignal): Promise<void> {
    const backoff = this.opts.backoff ?? { initialMs: 250, maxMs: 5_000 };
    for (let attempt = 0; !this.up && !signal.aborted; attempt++) {
      await this.opts.clock.sleep(backoffDelay(attempt, backoff, (this.opts.random ?? Math.random)()), signal);
      if (signal.aborted) return;
      try {
        await this.opts.probe();
      } catch (error) {
        // Not back yet, whatever the probe says (refused, starting up, too many connections): the
        // warning already told the operator; each attempt is kept for debugging only.
        this.opts.logger.debug({ attempt, error: messageOf(error) }, "database still unavailable");
        continue;
      }
      this.back();
    }
  }

  private back(): void {
    const downMs = this.downSince === null ? 0 : this.opts.clock.now() - this.downSince;
    this.downSince = null;
    this.opts.logger.info({ downMs }, "database is back; resuming work");
    for (const wake of [...this.waiters]) wake();
    for (const listener of this.backListeners) listener();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
