/**
 * The sender loop. deliverDue is one pass: claim what is due, send each row, record each outcome;
 * deliverAllDue repeats passes until nothing more is due. A failure of one row never stops the
 * others; every outcome is logged as a business event.
 */
import type { Clock } from "../clock/clock.js";
import type { WorkLogger } from "../log/work-logger.js";
import type { Db } from "../store/database.js";
import { isConnectionLoss } from "../store/errors.js";
import type { WorkerLocks } from "../store/worker-locks.js";
import { retryTransient } from "../store/retry.js";
import { caseNumbersByIds } from "../store/repos/cases.js";
import { retryDeferredNow } from "../store/repos/outbox.js";
import { listAttachmentContents } from "../store/repos/messages.js";
import { claimDue, recordDeliveries, renewClaim, type OutboxRow } from "./queue.js";
import { OutcomeBatch } from "./outcome-batch.js";
import type { RetryPolicy } from "./retry.js";
import type { DeliveryResult, MailSender, OutgoingMail } from "./sender.js";

export type DeliveryLogger = WorkLogger;

/**
 * Mails in flight at once in the worker, each on a pooled connection of its own (sender-from-config.ts opens
 * as many): an SMTP transaction is four round trips, so one connection alone caps a busy desk's acknowledgments.
 */
export const SEND_CONCURRENCY = 8;

/** Rows one claim statement takes (deliverDue's default batch). */
export const SEND_BATCH = 50;

export interface DeliverOptions {
  db: Db;
  sender: MailSender;
  clock: Clock;
  logger: DeliveryLogger;
  batchSize?: number;
  /**
   * How long a claimed row is ours before another worker may take it over. With `owner`, a claim is
   * free as soon as its holder dies; the lease is then only the backstop (a host that vanished without
   * closing its connection, a holder stuck on one row).
   */
  leaseMs?: number;
  /** This worker's presence (worker-locks.ts), whose id goes on the rows it claims. */
  owner?: Pick<WorkerLocks, "present">;
  retry?: RetryPolicy;
  random?: () => number;
  /** Ends the waits between tries of a transient database failure (and, in deliverAllDue, further passes). */
  signal?: AbortSignal;
  /**
   * Mails of a pass in flight at once (default 1). Each send waits on the server's reply, so a pooled
   * SMTP sender with a few connections delivers a backlog several times faster.
   */
  concurrency?: number;
}

export interface DeliverySummary {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** Permanent failures by mail kind (acknowledgment, reminder…), for the failures-by-kind counter. */
  failedByKind?: Record<string, number>;
}

async function loadAttachments(db: Db, row: OutboxRow): Promise<OutgoingMail["attachments"]> {
  const stored = row.attachments.filter((a) => a.attachmentId !== undefined).map((a) => a.attachmentId!);
  const byId = new Map((await listAttachmentContents(db, stored)).map((r) => [r.id, r.content]));
  return row.attachments.flatMap((a) => {
    const content = a.contentBase64 !== undefined ? Buffer.from(a.contentBase64, "base64") : byId.get(a.attachmentId ?? -1);
    return content ? [{ filename: a.filename, contentType: a.contentType, content: Buffer.from(content) }] : [];
  });
}

/** Human case numbers of the claimed rows' cases, for file names and logs. */
async function caseNumbersOf(db: Db, rows: OutboxRow[]): Promise<Map<number, number>> {
  return caseNumbersByIds(db, [...new Set(rows.map((r) => r.caseId).filter((id): id is number => id !== null))]);
}

export function toOutgoingMail(row: OutboxRow, files: OutgoingMail["attachments"], caseNumber: number | null): OutgoingMail {
  return {
    kind: row.kind,
    caseNumber,
    from: row.from,
    to: row.to,
    cc: row.cc,
    replyTo: row.replyTo,
    subject: row.subject,
    messageId: row.messageId,
    inReplyTo: row.inReplyTo,
    references: row.references,
    headers: row.headers,
    text: row.text,
    html: row.html,
    attachments: files,
    date: row.createdAt.getTime(),
  };
}

export async function deliverDue(opts: DeliverOptions): Promise<DeliverySummary> {
  const { db, sender, clock, logger } = opts;
  const random = opts.random ?? Math.random;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const transient = { signal: opts.signal };
  const workerId = opts.owner ? await retryTransient(() => opts.owner!.present(), transient) : null;
  const rows = await retryTransient(() => claimDue(db, clock.now(), opts.batchSize ?? SEND_BATCH, leaseMs, workerId), transient);
  const summary: DeliverySummary = { claimed: rows.length, sent: 0, retried: 0, failed: 0 };
  const caseNumbers = await caseNumbersOf(db, rows);
  // Set by the first row whose outcome could not be stored for want of a database: no lane starts another.
  let lost: unknown = null;
  // Recording is idempotent (only the claim holder's row matches), so a transient failure is simply tried again.
  const outcomes = new OutcomeBatch<{ row: OutboxRow; result: DeliveryResult; random: number }>((items) =>
    retryTransient(() => recordDeliveries(db, items, clock.now(), opts.retry), transient),
  );
  const deliverRow = async (row: OutboxRow) => {
    const log = { outboxId: row.id, kind: row.kind, case: row.caseId !== null ? caseNumbers.get(row.caseId) : undefined, to: row.to, messageId: row.messageId, attempt: row.attempts };
    let result: DeliveryResult;
    try {
      // A slow server can outlast the lease taken for the whole batch: renew it, or leave the row. A claim
      // with more than half its lease left is ours for sure; renewing it would be a statement per mail for nothing.
      const fresh = row.lockedUntil !== null && row.lockedUntil.getTime() - clock.now() > leaseMs / 2;
      if (!fresh && !(await renewClaim(db, row, clock.now(), leaseMs))) {
        logger.warn(log, "claim on the row expired before sending; leaving it to whoever holds it now");
        return;
      }
      const caseNumber = row.caseId !== null ? (caseNumbers.get(row.caseId) ?? null) : null;
      result = await sender.send(toOutgoingMail(row, await loadAttachments(db, row), caseNumber));
    } catch (error) {
      // Building or sending threw instead of answering: a temporary failure, so backoff and the attempt limit apply.
      result = { status: "temporary", error: (error as Error).message };
    }
    try {
      const outcome = await outcomes.record({ row, result, random: random() });
      if (outcome === "sent") {
        summary.sent++;
        logger.info(log, "mail sent");
      } else if (outcome === "retry") {
        summary.retried++;
        logger.warn({ ...log, error: result.status !== "sent" ? result.error : undefined }, "mail delivery failed temporarily; will retry");
      } else {
        summary.failed++;
        const byKind = (summary.failedByKind ??= {});
        byKind[row.kind] = (byKind[row.kind] ?? 0) + 1;
        logger.error({ ...log, error: result.status !== "sent" ? result.error : undefined }, "mail delivery failed permanently");
      }
    } catch (error) {
      // The outcome could not be stored: the row stays claimed until its lease runs out, then is retried
      // with the same Message-ID.
      summary.retried++;
      logger.error({ ...log, error: (error as Error).message }, "could not record a delivery; the row will be retried after its lease");
      if (isConnectionLoss(error)) lost ??= error;
    }
  };
  // A case's mails go out one after the other on one lane, in the order they were queued (an acknowledgment
  // before the notice that follows it); different cases go out side by side.
  const groups = byCase(rows);
  let next = 0;
  const lane = async () => {
    for (let g = next++; g < groups.length && lost === null; g = next++) {
      for (const row of groups[g]!) {
        if (lost !== null) break;
        await deliverRow(row);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, opts.concurrency ?? 1), Math.max(1, groups.length)) }, lane));
  // Without the database no other delivery could be recorded either: sending them would only send them twice.
  if (lost !== null) throw lost;
  return summary;
}

/** Rows grouped by case in claim order (a row without a case is a group of its own), groups in order of their first row. */
export function byCase(rows: OutboxRow[]): OutboxRow[][] {
  const groups: OutboxRow[][] = [];
  const ofCase = new Map<number, OutboxRow[]>();
  for (const row of rows) {
    const known = row.caseId === null ? undefined : ofCase.get(row.caseId);
    if (known) {
      known.push(row);
      continue;
    }
    const group = [row];
    groups.push(group);
    if (row.caseId !== null) ofCase.set(row.caseId, group);
  }
  return groups;
}

/**
 * What the sender has seen of the SMTP server across passes. One server takes all our mail, so when every
 * attempt of a pass fails temporarily the server is down, and the first mail it accepts afterwards means
 * the mail deferred meanwhile need not wait out its backoff (which grows with the outage: after a minute
 * down, a mail could wait another minute). A failure of one mail while others go through marks nothing,
 * so a mail that fails on its own keeps its backoff.
 */
export interface ServerHealth {
  down: boolean;
}

export interface DeliverAllOptions extends DeliverOptions {
  health?: ServerHealth;
  /** `signal` is also checked between passes: a pass in progress finishes (its rows are claimed), then delivery stops. */
  /** Clock time after which no further pass starts; unset means no limit. */
  budgetMs?: number;
  /** Told after each pass (the intake's pace listens for mail going out during a long delivery). */
  onPass?: (pass: DeliverySummary) => void;
}

export interface FullDeliverySummary extends DeliverySummary {
  passes: number;
}

/**
 * Everything that is due, pass after pass, so a backlog goes out in one go instead of one batch per
 * scheduler tick. A pass that claims less than a full batch means nothing more is due now (rows in
 * retry backoff are not due), so the loop ends there rather than spin; the signal and the budget
 * bound it otherwise (a full batch each pass could in principle go on for as long as mail keeps arriving).
 */
export async function deliverAllDue(opts: DeliverAllOptions): Promise<FullDeliverySummary> {
  const batchSize = opts.batchSize ?? SEND_BATCH;
  const started = opts.clock.now();
  const total: FullDeliverySummary = { claimed: 0, sent: 0, retried: 0, failed: 0, passes: 0 };
  while (!opts.signal?.aborted) {
    const pass = await deliverDue({ ...opts, batchSize });
    opts.onPass?.(pass);
    total.passes++;
    total.claimed += pass.claimed;
    total.sent += pass.sent;
    total.retried += pass.retried;
    total.failed += pass.failed;
    for (const [kind, n] of Object.entries(pass.failedByKind ?? {})) (total.failedByKind ??= {})[kind] = (total.failedByKind?.[kind] ?? 0) + n;
    if (opts.health && (await serverCameBack(opts, opts.health, pass))) continue;
    if (pass.claimed < batchSize) break;
    if (opts.budgetMs !== undefined && opts.clock.now() - started >= opts.budgetMs) break;
  }
  return total;
}

async function serverCameBack(opts: DeliverAllOptions, health: ServerHealth, pass: DeliverySummary): Promise<boolean> {
  if (pass.sent === 0 && pass.retried > 0) health.down = true;
  if (pass.sent === 0 || !health.down) return false;
  health.down = false;
  const now = new Date(opts.clock.now());
  const released = await retryTransient(() => retryDeferredNow(opts.db, now), { signal: opts.signal });
  if (released > 0) opts.logger.info({ deferred: released }, "the SMTP server accepts mail again: mail deferred meanwhile goes out now");
  return released > 0;
}
