/**
 * The worker loop behind `support-inbox start`. Each tick runs the registered jobs in order (scheduler,
 * digest…), then sleeps on the injected clock. Long-running services (an IMAP IDLE session, the outbox
 * sender woken by whoever queues mail) run beside the loop for its whole life. Aborting the signal ends
 * the loop after the current job; nothing here exits the process.
 */
import type { Clock } from "../clock/clock.js";
import type { Logger } from "../log/logger.js";
import type { WorkLogger } from "../log/work-logger.js";
import { isRetryable } from "../store/errors.js";

/** A unit of periodic work. It should return promptly when `signal` aborts. */
export interface Job {
  name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** Runs until `signal` aborts (e.g. a mailbox's IDLE loop); restarted by its owner, not here. */
export interface Service {
  name: string;
  run(signal: AbortSignal): Promise<void>;
}

export interface WorkerOptions {
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  jobs: Job[];
  services?: Service[];
  tickMs: number;
  /** Run one tick and return (cron, tests); services are not started. */
  once?: boolean;
}

export interface WorkerResult {
  ticks: number;
  /** Job runs that threw; each was logged and the loop went on. */
  failures: number;
}

export async function runWorker(options: WorkerOptions): Promise<WorkerResult> {
  const { clock, logger, signal, tickMs, once = false } = options;
  const services = once ? [] : (options.services ?? []).map((s) => runService(s, signal, logger));
  const result: WorkerResult = { ticks: 0, failures: 0 };
  logger.info({ jobs: options.jobs.map((j) => j.name), services: (options.services ?? []).map((s) => s.name), tickMs, once }, "worker started");
  try {
    while (!signal.aborted) {
      result.failures += await runTick(options.jobs, signal, logger);
      result.ticks += 1;
      if (once) break;
      await clock.sleep(tickMs, signal);
    }
  } finally {
    // Services see the same signal; wait for them so their connections close before the database does.
    await Promise.all(services);
    logger.info({ ticks: result.ticks, failures: result.failures }, "worker stopped");
  }
  return result;
}

/**
 * One tick: every job once, in order. A failing job is logged and the next one still runs; `transient` in the
 * log says whether the failure is in store/errors.ts's retryable table (a database restarting), not a bug.
 */
export async function runTick(jobs: Job[], signal: AbortSignal, logger: Logger): Promise<number> {
  let failures = 0;
  for (const job of jobs) {
    if (signal.aborted) break;
    try {
      await job.run(signal);
    } catch (error) {
      failures += 1;
      logger.error({ job: job.name, err: error, transient: isRetryable(error) }, "job failed; continuing with the next one");
    }
  }
  return failures;
}

async function runService(service: Service, signal: AbortSignal, logger: Logger): Promise<void> {
  try {
    await service.run(signal);
  } catch (error) {
    // A service owns its own retries; one that gives up is reported, the worker keeps running the jobs.
    logger.error({ service: service.name, err: error }, "service stopped with an error");
  }
}

/**
 * A doorbell between producers and one waiting service. `wake()` never blocks and is never lost: rung
 * while nobody waits (the service is working), it makes the next `wait()` return at once.
 */
export class Wakeup {
  private pending = false;
  private interrupt: (() => void) | null = null;

  wake(): void {
    this.pending = true;
    this.interrupt?.();
  }

  /** Forgets the wakes so far: called just before work that will see whatever they announced. */
  clear(): void {
    this.pending = false;
  }

  /**
   * Resolves at a wake (at once if one came since `clear`), after `ms` of clock time, or on abort;
   * true when woken. One waiter at a time.
   */
  async wait(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
    if (this.pending || signal.aborted) return this.pending;
    // Ending the clock's sleep early (rather than racing it) leaves no sleeper behind on the clock.
    const stop = new AbortController();
    const end = () => stop.abort();
    signal.addEventListener("abort", end, { once: true });
    this.interrupt = end;
    try {
      await clock.sleep(ms, stop.signal);
    } finally {
      this.interrupt = null;
      signal.removeEventListener("abort", end);
    }
    return this.pending;
  }
}

/** What a service needs of worker/database-watch.ts: wait while the database is away, report losing it. */
export interface DatabaseGate {
  ready(signal: AbortSignal): Promise<void>;
  /** True when the error is a connection loss, now reported (logged once per outage). */
  failed(error: unknown): boolean;
}

export interface WakeableService extends Service {
  /** Asks for another round of work as soon as the current one (if any) ends. */
  wake(): void;
}

/**
 * A service that does its work, then waits until woken or until `pollMs` passes, until aborted.
 * The poll covers work nobody announces (rows due after a retry backoff, another process's writes).
 * A round that throws is logged and retried after the next wait: the loop itself never dies of it.
 */
export function wakeableService(opts: {
  name: string;
  clock: Clock;
  logger: Pick<WorkLogger, "error">;
  pollMs: number;
  work: (signal: AbortSignal) => Promise<void>;
  /** While it says the database is down the service waits; a connection loss is reported to it, not logged here. */
  database?: DatabaseGate;
}): WakeableService {
  const wakeup = new Wakeup();
  return {
    name: opts.name,
    wake: () => wakeup.wake(),
    async run(signal) {
      while (!signal.aborted) {
        await opts.database?.ready(signal);
        if (signal.aborted) break;
        wakeup.clear();
        try {
          await opts.work(signal);
        } catch (error) {
          if (opts.database?.failed(error)) continue;
          opts.logger.error({ service: opts.name, err: error, transient: isRetryable(error) }, `${opts.name} failed; retrying after the next wait`);
        }
        if (signal.aborted) break;
        await wakeup.wait(opts.clock, opts.pollMs, signal);
      }
    },
  };
}
