/**
 * One owner per mailbox. Two workers draining one IMAP folder would both move a message to Processed
 * (a MOVE is a copy then an expunge, and both copies land); the cases are de-duplicated by the store,
 * the folder a person reads is not. So a mailbox's inbound loop runs only while its worker holds the
 * mailbox's advisory lock (store/worker-locks.ts); the others stand by and try again every `retryMs`,
 * so one of them takes over within that time of the owner stopping or dying.
 */
import type { Clock } from "../clock/clock.js";
import type { WorkLogger } from "../log/work-logger.js";
import type { WorkerLocks } from "../store/worker-locks.js";
import type { Job, Service } from "../worker/run.js";

/** How often a standby tries the lock, and an owner checks it still has it. */
export const OWNER_RETRY_MS = 10_000;

export interface OwnerOptions {
  locks: Pick<WorkerLocks, "holdMailbox" | "releaseMailbox">;
  mailbox: string;
  clock: Clock;
  logger: Pick<WorkLogger, "info" | "warn">;
  retryMs?: number;
}

/** Holds the lock or not; a database that cannot answer counts as not (the drain could not work anyway). */
async function tryHold(opts: OwnerOptions): Promise<boolean> {
  try {
    return await opts.locks.holdMailbox(opts.mailbox);
  } catch (error) {
    opts.logger.warn({ mailbox: opts.mailbox, error: (error as Error).message }, "cannot check the mailbox lock; standing by");
    return false;
  }
}

/**
 * Runs `service` while this worker owns the mailbox. The owner checks the lock every `retryMs` (it goes
 * with its database session, e.g. in a restart) and stops the service, after its current batch, when it
 * is lost; the lock is given back when the worker stops, so a standby need not wait for the process to end.
 */
export function ownedService(service: Service, opts: OwnerOptions): Service {
  const retryMs = opts.retryMs ?? OWNER_RETRY_MS;
  const where = { mailbox: opts.mailbox };
  return {
    name: service.name,
    async run(signal) {
      let standing = false;
      while (!signal.aborted) {
        if (!(await tryHold(opts))) {
          if (!standing) opts.logger.info(where, "another worker owns this mailbox; standing by");
          standing = true;
          await opts.clock.sleep(retryMs, signal);
          continue;
        }
        standing = false;
        opts.logger.info(where, "this worker owns the mailbox now");
        const lost = new AbortController();
        const owned = AbortSignal.any([signal, lost.signal]);
        const watch = (async () => {
          while (!owned.aborted) {
            await opts.clock.sleep(retryMs, owned);
            if (!owned.aborted && !(await tryHold(opts))) lost.abort();
          }
        })();
        try {
          await service.run(owned);
        } finally {
          lost.abort();
          await watch;
        }
        if (!signal.aborted) opts.logger.warn(where, "lost the mailbox lock; standing by");
      }
      await opts.locks.releaseMailbox(opts.mailbox).catch(() => {});
    },
  };
}

/** `start --once`: drains the mailbox only if no running worker owns it, and lets go after the tick. */
export function ownedJob(job: Job, opts: OwnerOptions): Job {
  return {
    name: job.name,
    async run(signal) {
      if (!(await tryHold(opts))) return void opts.logger.info({ mailbox: opts.mailbox }, "another worker owns this mailbox; skipped");
      try {
        await job.run(signal);
      } finally {
        await opts.locks.releaseMailbox(opts.mailbox).catch(() => {});
      }
    },
  };
}
