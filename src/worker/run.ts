/**
 * The worker loop behind `support-inbox start`. Each tick runs the registered jobs in order (inbound
 * mailboxes, scheduler, outbox…), then sleeps on the injected clock. Long-running services (an IMAP
 * IDLE session) run beside the loop for its whole life. Aborting the signal ends the loop after the
 * current job; nothing here exits the process.
 */
import type { Clock } from "../clock/clock.js";
import type { Logger } from "../log/logger.js";

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

/** One tick: every job once, in order. A failing job is logged and the next one still runs. */
export async function runTick(jobs: Job[], signal: AbortSignal, logger: Logger): Promise<number> {
  let failures = 0;
  for (const job of jobs) {
    if (signal.aborted) break;
    try {
      await job.run(signal);
    } catch (error) {
      failures += 1;
      logger.error({ job: job.name, err: error }, "job failed; continuing with the next one");
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
