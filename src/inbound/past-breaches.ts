/**
 * After a mailbox's backlog is read: the breaches that were already past when their mail was read go to the
 * managers as ONE summary mail (src/cases/past-breach-summary.ts), instead of a breach alert per case and
 * metric. The rows were written with the cases (apply.ts); this claims the mailbox's unreported ones, queues the
 * summary and marks them reported in one transaction, so a crash either sends it later or has sent it.
 */
import { pastBreachSummary, type PastBreach } from "../cases/past-breach-summary.js";
import type { Desk } from "../desk.js";
import { enqueue } from "../outbox/queue.js";
import type { Clock } from "../clock/clock.js";
import type { Db } from "../store/database.js";
import { claimUnreportedBreaches, markBreachesReported, type UnreportedBreach } from "../store/repos/past-breaches.js";
import { listStaff } from "../store/repos/staff.js";
import { retryTransient } from "../store/retry.js";
import type { WorkLogger } from "../log/work-logger.js";

export interface PastBreachDeps {
  db: Db;
  desk: Desk;
  clock: Clock;
  logger: Pick<WorkLogger, "info" | "warn">;
}

export interface PastBreachReport {
  breaches: number;
  /** Summary mails queued (one per thousand breaches). */
  queued: number;
}

/** Summarises every unreported past breach of `mailbox`; a no-op (one indexed query) when there is none. */
export async function reportPastBreaches(deps: PastBreachDeps, mailbox: string, signal?: AbortSignal): Promise<PastBreachReport> {
  const report: PastBreachReport = { breaches: 0, queued: 0 };
  for (;;) {
    const round = await retryTransient(() => deps.db.transaction((tx) => summariseOnce(tx, deps, mailbox)), signal ? { signal } : {});
    if (round.breaches === 0) return report;
    report.breaches += round.breaches;
    report.queued += round.queued ? 1 : 0;
    const fields = { mailbox, breaches: round.breaches, cases: round.cases };
    if (round.queued) deps.logger.info({ ...fields, to: round.to }, "SLA breaches already past when their mail was read: one summary queued for the managers");
    else deps.logger.warn(fields, "SLA breaches already past when their mail was read, but no active manager to tell: recorded on the cases only");
  }
}

async function summariseOnce(tx: Db, deps: PastBreachDeps, mailbox: string) {
  const rows = await claimUnreportedBreaches(tx, mailbox);
  if (rows.length === 0) return { breaches: 0, cases: 0, queued: false, to: [] as string[] };
  const now = deps.clock.now();
  const staff = await listStaff(tx, { activeOnly: true });
  const { mail, recipients } = pastBreachSummary(deps.desk, mailbox, rows.map((r) => asPastBreach(deps.desk, r)), staff, now);
  const queued = mail !== null && (await enqueue(tx, mail, now));
  await markBreachesReported(tx, rows.map((r) => r.id), new Date(now));
  return { breaches: rows.length, cases: new Set(rows.map((r) => r.caseId)).size, queued, to: recipients.map((s) => s.email) };
}

function asPastBreach(desk: Desk, r: UnreportedBreach): PastBreach {
  const policy = desk.policies.get(r.policyId);
  return {
    id: r.id,
    caseNumber: r.caseNumber,
    subject: r.subject,
    organization: r.organization,
    severity: policy?.severities.find((s) => s.id === r.severity)?.name ?? r.severity,
    metric: r.metric,
    dueAt: r.dueAt.getTime(),
    receivedAt: r.openedAt.getTime(),
    readAt: r.foundAt.getTime(),
    notify: r.notify,
  };
}
