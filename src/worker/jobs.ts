/**
 * What `support-inbox start` runs, wired from the config in one place: one inbound loop per mailbox
 * (waiting on IMAP IDLE or the Maildir between drains), the SLA scheduler, the daily digest, and the
 * outbox sender, a service of its own that whoever queues mail wakes.
 */
import type { AppContext } from "../context.js";
import { createParsePool, inlineParser } from "../mail/parse-pool.js";
import { deliverAllDue, SEND_CONCURRENCY } from "../outbox/deliver.js";
import { createSender } from "../outbox/sender-from-config.js";
import { createSource, mailboxInfo, mailboxPollMs } from "../sources/from-config.js";
import { inboundDepsFor } from "../inbound/deps-from-config.js";
import { digestTick } from "../digest/job.js";
import { lifecycleNoticesTick } from "../lifecycle/notices-job.js";
import { purgeExpiredAttachments } from "../retention/attachments.js";
import { erasePersonalData } from "../retention/personal-data.js";
import { deskFromConfig } from "../desk.js";
import { drainSource } from "../inbound/drain.js";
import { OutboxPace } from "../inbound/outbox-pace.js";
import { countDueOutbox } from "../store/repos/outbox.js";
import { ping } from "../store/database.js";
import type { InboundDeps } from "../inbound/process.js";
import type { WorkerLocks } from "../store/worker-locks.js";
import { DEFAULT_MEMORY_BUDGET, memoryBudget } from "../inbound/memory.js";
import { DatabaseWatch } from "./database-watch.js";
import { ownedJob, ownedService } from "../inbound/mailbox-owner.js";
import { wakeableService, type Job, type Service } from "./run.js";
import { schedulerTick } from "../scheduler/tick.js";
import { heldAcknowledgmentsTick } from "../scheduler/held-acks.js";
import type { WorkerMetrics } from "../http/metrics.js";
import { MailboxWatch } from "./mailbox-watch.js";

export interface WorkerWiring {
  jobs: Job[];
  /** The worker's view of its database, for /readyz. */
  database: DatabaseWatch;
  /** Each mailbox's last successful read, for /readyz. */
  mailboxes: MailboxWatch;
  services: Service[];
  /** Something outside the inbound jobs queued mail (the MTA pipe's socket): send it now, not at the next poll. */
  wakeOutbox(): void;
  close(): Promise<void>;
}

/**
 * `once`: inbound mailboxes are drained and the outbox delivered as jobs of the single tick.
 * Otherwise they are long-running services, and the outbox sends continuously: each inbound batch
 * that commits wakes it, so acknowledgments go out while a long backlog is still being drained.
 */
export function buildWorker(ctx: AppContext, opts: { once: boolean; locks?: WorkerLocks; ownerRetryMs?: number; metrics?: WorkerMetrics }): WorkerWiring {
  const desk = deskFromConfig(ctx.config, ctx.policies);
  const { ingest } = ctx.config;
  const parser = ingest.parseThreads > 0 ? createParsePool({ threads: ingest.parseThreads }) : inlineParser;
  const batch = { messages: ingest.batchMessages, bytes: ingest.batchBytes };
  const sender = createSender(ctx.config, ctx.clock);
  const sources = ctx.config.mailboxes.map((m) => ({
    info: mailboxInfo(m),
    source: createSource(m, ctx, { onReconnect: () => opts.metrics?.imapReconnected(m.name) }),
    pollMs: mailboxPollMs(m),
  }));
  const mailboxes = new MailboxWatch(ctx.clock);
  for (const { info, pollMs } of sources) mailboxes.add(info.name, pollMs);

  const outboxLogger = ctx.logger.child({ subsystem: "outbox" });
  const health = { down: false };
  // Work first, then report: `opts.metrics?.delivered(await …)` would skip the work itself without metrics.
  // In service mode only: in a single tick the outbox runs after the mailboxes, so nothing would send meanwhile.
  const pace =
    !opts.once && ingest.maxDueReplies > 0
      ? new OutboxPace({ maxDue: ingest.maxDueReplies, countDue: (limit) => countDueOutbox(ctx.database.db, new Date(ctx.clock.now()), limit), clock: ctx.clock, logger: ctx.logger.child({ subsystem: "inbound" }) })
      : undefined;
  const deliverAll = async (signal: AbortSignal) => {
    const delivered = await deliverAllDue({ db: ctx.database.db, sender, clock: ctx.clock, logger: outboxLogger, signal, owner: opts.locks, health, concurrency: SEND_CONCURRENCY, onPass: (pass) => pace?.sent(pass.sent) });
    opts.metrics?.delivered(delivered);
  };
  const outboxJob: Job = { name: "outbox", run: deliverAll };
  // Polling at the scheduler's pace picks up what nobody announces: rows whose retry backoff ended,
  // mail queued by CLI commands in another process.
  // One warning when the database goes away, one line when it is back; meanwhile everything waits on it.
  const database = new DatabaseWatch({ clock: ctx.clock, logger: ctx.logger.child({ subsystem: "database" }), probe: () => ping(ctx.database.db) });
  const outbox = wakeableService({ name: "outbox", clock: ctx.clock, logger: outboxLogger, pollMs: ctx.config.scheduler.tickSeconds * 1000, work: deliverAll, database });
  database.onBack(() => outbox.wake());
  const deps: InboundDeps = { ...inboundDepsFor(ctx, desk, parser), onCommitted: () => outbox.wake(), memory: memoryBudget(DEFAULT_MEMORY_BUDGET), ...(pace ? { pace } : {}) };
  const inboundJobs: Job[] = sources.map(({ info, source }) => ({
    name: `inbound:${info.name}`,
    run: async (signal) => {
      const drained = await drainSource(deps, source, info, signal, batch);
      opts.metrics?.drained(info.name, drained);
    },
  }));
  type Mailbox = (typeof sources)[number];
  const drainLoop = async (mailboxDeps: InboundDeps, { info, source, pollMs }: Mailbox, signal: AbortSignal) => {
    while (!signal.aborted) {
      await database.ready(signal);
      try {
        // Replies are not sent from here: deps.onCommitted wakes the outbox service after each batch.
        const drained = await drainSource(mailboxDeps, source, info, signal, batch);
        opts.metrics?.drained(info.name, drained);
        // Reached the server and read all it had (a drain against an unreachable IMAP server never gets here).
        if (!signal.aborted) mailboxes.read(info.name);
      } catch (error) {
        // Lost the database: drain again as soon as it is back (ready() above), not after the poll.
        if (database.failed(error)) continue;
        deps.logger.error({ mailbox: info.name, error: (error as Error).message }, "mailbox drain failed; retrying after the next wait");
      }
      await source.waitForNew(signal, pollMs).catch(() => ctx.clock.sleep(pollMs, signal));
    }
  };
  const inboundServices: Service[] = sources.map((mailbox) => ({
    name: `inbound:${mailbox.info.name}`,
    run: async (signal) => {
      // A committed batch is a successful read too: a long backlog keeps the mailbox ready while it drains.
      const mailboxDeps: InboundDeps = { ...deps, onCommitted: () => (mailboxes.read(mailbox.info.name), outbox.wake()) };
      mailboxes.started(mailbox.info.name);
      try {
        await drainLoop(mailboxDeps, mailbox, signal);
      } finally {
        mailboxes.stopped(mailbox.info.name);
      }
    },
  }));

  const scheduler: Job = {
    name: "scheduler",
    run: async (signal) => {
      const started = ctx.clock.now();
      const { queued, reminders } = await schedulerTick({ db: ctx.database.db, desk, clock: ctx.clock, logger: ctx.logger.child({ subsystem: "scheduler" }), signal });
      opts.metrics?.schedulerTick((ctx.clock.now() - started) / 1000, reminders ?? []);
      // Acknowledgments the per-sender cap held back, combined, once the hour's window allows.
      const held = await heldAcknowledgmentsTick({ db: ctx.database.db, desk, clock: ctx.clock, logger: ctx.logger.child({ subsystem: "scheduler" }), capPerHour: ctx.config.autoReplyCapPerHour, signal });
      if (queued + held.queued > 0) outbox.wake();
    },
  };

  const digest: Job = {
    name: "digest",
    run: async (signal) => {
      const { queued } = await digestTick({
        db: ctx.database.db,
        desk,
        clock: ctx.clock,
        logger: ctx.logger.child({ subsystem: "digest" }),
        localTime: ctx.config.digest.localTime,
        sendEmpty: ctx.config.digest.sendEmpty,
        signal,
      });
      if (queued > 0) outbox.wake();
    },
  };
  // Retention is a daily matter; looking once an hour keeps it cheap and still on the day.
  let retentionRanAt = Number.NEGATIVE_INFINITY;
  const retention: Job = {
    name: "retention",
    run: async (signal) => {
      const now = ctx.clock.now();
      if (now - retentionRanAt < 3_600_000) return;
      retentionRanAt = now;
      const log = ctx.logger.child({ subsystem: "retention" });
      const purged = await purgeExpiredAttachments(ctx.database.db, ctx.policies, now);
      if (purged.attachments > 0) log.info(purged, "attachments past their retention period deleted");
      // Bounded batches: a stop (signal) or crash between them leaves a run the next hour finishes.
      for (const e of await erasePersonalData(ctx.database.db, ctx.policies, now, { signal })) {
        log.info({ organization: e.name, contractEnd: e.contractEnd, people: e.people, kinds: e.kinds }, "personal data past its retention period erased");
      }
    },
  };
  // [001] lifecycle notices are a matter of days (half a year ahead): looking once an hour is plenty.
  let lifecycleRanAt = Number.NEGATIVE_INFINITY;
  const lifecycle: Job = {
    name: "lifecycle-notices",
    run: async (signal) => {
      const now = ctx.clock.now();
      if (now - lifecycleRanAt < 3_600_000) return;
      lifecycleRanAt = now;
      const { queued } = await lifecycleNoticesTick({ db: ctx.database.db, desk, clock: ctx.clock, logger: ctx.logger.child({ subsystem: "lifecycle" }), signal });
      if (queued > 0) outbox.wake();
    },
  };
  // With locks (what `start` passes), one worker per mailbox drains it: see mailbox-owner.ts.
  const owner = (i: number) => ({ locks: opts.locks!, mailbox: sources[i]!.info.name, clock: ctx.clock, logger: deps.logger, retryMs: opts.ownerRetryMs });
  const ownedJobs = opts.locks ? inboundJobs.map((j, i) => ownedJob(j, owner(i))) : inboundJobs;
  const ownedServices = opts.locks ? inboundServices.map((s, i) => ownedService(s, owner(i))) : inboundServices;
  return {
    database,
    mailboxes,
    jobs: opts.once ? [...ownedJobs, scheduler, digest, retention, lifecycle, outboxJob] : [scheduler, digest, retention, lifecycle].map((job) => database.guard(job)),
    services: opts.once ? [] : [...ownedServices, outbox],
    wakeOutbox: () => outbox.wake(),
    async close() {
      await Promise.all([...sources.map(({ source }) => source.close()), parser.close()]);
      await sender.close();
    },
  };
}
