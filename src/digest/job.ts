/**
 * The daily digest job, run on every worker tick: each active manager whose local time has passed
 * `localTime` today and who has no digest for that day yet gets one. The digests_sent row (unique per
 * manager and day) and the outbox row are inserted in one transaction, so two workers or two ticks can
 * never send the same day twice: the loser's insert finds the row and queues nothing.
 */
import type { Clock } from "../clock/clock.js";
import { messageIdFor, standardHeaders } from "../outbox/headers.js";
import { enqueue } from "../outbox/queue.js";
import { loadUpcomingMilestones } from "./lifecycle.js";
import type { WorkLogger } from "../log/work-logger.js";
import type { Db } from "../store/database.js";
import { digestWasSent, markDigestSent } from "../store/repos/outbox.js";
import { listStaff, type Staff } from "../store/repos/staff.js";
import { retryTransient } from "../store/retry.js";
import type { Desk } from "../desk.js";
import { assembleDigest, digestParts, type DigestData, type DigestParts } from "./build.js";
import { backfillRollup } from "./backfill.js";
import { canUseRollup, digestPartsFromRollup } from "./from-rollup.js";
import { instantAt, localDay } from "./days.js";
import { loadDigestCases, loadIntakeCounts, loadNearQuota } from "./load.js";
import { renderDigest, type RenderedDigest } from "./render.js";

export type DigestLogger = WorkLogger;

export interface DigestTickOptions {
  db: Db;
  desk: Desk;
  clock: Clock;
  logger: DigestLogger;
  /** "HH:MM" in each manager's zone (config digest.localTime). */
  localTime?: string;
  /** Send the short "no breaches" note on a quiet day (config digest.sendEmpty). */
  sendEmpty?: boolean;
  /** Ends the waits between tries of a transient database failure. */
  signal?: AbortSignal;
}

export interface DigestTickSummary {
  queued: number;
  /** Quiet days recorded without mail because sendEmpty is off. */
  quiet: number;
  failed: number;
}

export const digestKey = (managerId: number, day: string) => `digest:${managerId}:${day}`;
export const managerZone = (m: Pick<Staff, "timeZone">, desk: Pick<Desk, "timeZone">) => m.timeZone ?? desk.timeZone;

/** Managers whose digest for their current local day is due and not yet recorded. */
async function dueManagers(db: Db, desk: Desk, now: number, localTime: string, logger: DigestLogger) {
  const due: Array<{ manager: Staff; day: string; zone: string }> = [];
  for (const manager of await listStaff(db, { role: "manager", activeOnly: true })) {
    try {
      const zone = managerZone(manager, desk);
      const day = localDay(now, zone);
      if (now >= instantAt(day, localTime, zone) && !(await digestWasSent(db, manager.id, day))) due.push({ manager, day, zone });
    } catch (error) {
      logger.error({ manager: manager.email, error: (error as Error).message }, "cannot schedule this manager's digest");
    }
  }
  return due;
}

export async function digestTick(opts: DigestTickOptions): Promise<DigestTickSummary> {
  const { db, desk, logger } = opts;
  const now = opts.clock.now();
  const summary: DigestTickSummary = { queued: 0, quiet: 0, failed: 0 };
  await backfillOnFirstRun(db, desk, opts.clock, logger);
  const due = await dueManagers(db, desk, now, opts.localTime ?? "08:00", logger);
  if (due.length === 0) return summary;
  // Every manager sees the same cases; only the zone (day names, times) differs, so load once.
  const parts = await loadForDigest(db, desk, now, logger);
  const nearQuota = await loadNearQuota(db, desk.policies, now);
  const lifecycle = await loadUpcomingMilestones(db, desk.policies, now);
  for (const { manager, day, zone } of due) {
    try {
      const intake = await loadIntakeCounts(db, manager.id, day, now);
      const data = assembleDigest({ zone, now, intake, nearQuota, lifecycle }, parts);
      // One transaction, safe to run again: a day already recorded comes back "taken".
      const outcome = await retryTransient(() => recordAndQueue(db, desk, manager, day, data, now, opts.sendEmpty ?? true), { signal: opts.signal });
      if (outcome === "queued") summary.queued++;
      if (outcome === "quiet") summary.quiet++;
      if (outcome !== "taken") logger.info({ manager: manager.email, day, breaches: data.breaches.length, atRisk: data.atRisk.length, outcome }, "daily digest");
    } catch (error) {
      summary.failed++;
      logger.error({ manager: manager.email, day, error: (error as Error).message }, "daily digest failed; will try again next tick");
    }
  }
  return summary;
}

/** A preview prints the digest; cases it leaves out are the worker's to warn about, as before. */
const silentLogger: DigestLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** Databases whose rollup backfill is known to be done (one state query per process, not per tick). */
const backfilled = new WeakSet<Db>();

/** The digest's rollup for cases that predate it, a time-boxed step per tick until done (backfill.ts). */
async function backfillOnFirstRun(db: Db, desk: Desk, clock: Clock, logger: DigestLogger): Promise<void> {
  if (backfilled.has(db)) return;
  try {
    const progress = await backfillRollup(db, desk.policies, clock);
    if (progress.skipped.length > 0) logger.warn({ count: progress.skipped.length, cases: progress.skipped.slice(0, 20) }, "digest rollup backfill leaves out cases it cannot evaluate");
    if (progress.evaluated > 0 || !progress.done) logger.info({ evaluated: progress.evaluated, done: progress.done }, "digest rollup backfill");
    if (progress.done) backfilled.add(db);
  } catch (error) {
    logger.error({ error: (error as Error).message }, "digest rollup backfill failed; the digest evaluates every case until it is done; will try again next tick");
  }
}

/**
 * What every manager's digest at `now` is made of: from the rollup when it covers `now`, else (backfill not
 * done, or a preview of a past day) by evaluating every case the digest reads.
 */
async function loadForDigest(db: Db, desk: Desk, now: number, logger: DigestLogger): Promise<DigestParts> {
  const { parts, skipped } = (await canUseRollup(db, now))
    ? await digestPartsFromRollup(db, desk.policies, now)
    : await loadDigestCases(db, desk.policies, now).then((loaded) => ({ parts: digestParts(loaded.cases, now), skipped: loaded.skipped }));
  if (skipped.length > 0) {
    logger.warn({ count: skipped.length, cases: skipped.slice(0, 20) }, "digest leaves out cases it cannot evaluate");
  }
  return parts;
}

/** "taken": another worker or tick recorded this day first, so nothing is queued. */
async function recordAndQueue(db: Db, desk: Desk, manager: Staff, day: string, data: DigestData, now: number, sendEmpty: boolean) {
  const mail = data.empty && !sendEmpty ? null : renderDigest(desk.templates, data);
  return db.transaction(async (tx): Promise<"queued" | "quiet" | "taken"> => {
    if (!(await markDigestSent(tx, manager.id, day, new Date(now)))) return "taken";
    if (!mail) return "quiet";
    const key = digestKey(manager.id, day);
    const queued = await enqueue(tx, digestOutgoing(desk, manager, key, mail), now);
    return queued ? "queued" : "taken";
  });
}

function digestOutgoing(desk: Desk, manager: Staff, key: string, mail: RenderedDigest) {
  return {
    idempotencyKey: key,
    kind: "digest",
    caseId: null,
    from: desk.fromAddress,
    to: [manager.email],
    replyTo: desk.fromAddress,
    subject: mail.subject,
    messageId: messageIdFor(key, desk.supportDomain),
    headers: { ...standardHeaders("digest", desk.fromAddress) },
    text: mail.text,
    html: mail.html,
  };
}

/**
 * The digest a manager would get at `now`, rendered, without recording or queuing anything
 * (`support-inbox digest preview`).
 */
export async function previewDigest(db: Db, desk: Desk, manager: Staff, now: number, logger?: DigestLogger): Promise<RenderedDigest & { data: DigestData }> {
  const parts = await loadForDigest(db, desk, now, logger ?? silentLogger);
  const zone = managerZone(manager, desk);
  const intake = await loadIntakeCounts(db, manager.id, localDay(now, zone), now);
  const data = assembleDigest({ zone, now, intake, nearQuota: await loadNearQuota(db, desk.policies, now), lifecycle: await loadUpcomingMilestones(db, desk.policies, now) }, parts);
  return { ...renderDigest(desk.templates, data), data };
}

