/**
 * The lifecycle notices job (the shell around notices.ts): load the cases that name a product version, work out
 * which notices are due, and for each one not recorded yet record it and queue its mail in ONE transaction, so a
 * crash between the two can neither lose a notice nor send it twice. The worker runs it hourly;
 * `support-inbox lifecycle notices [--dry-run]` runs it once.
 */
import type { Clock } from "../clock/clock.js";
import type { Desk } from "../desk.js";
import type { WorkLogger } from "../log/work-logger.js";
import { enqueue } from "../outbox/queue.js";
import type { Db } from "../store/database.js";
import { activeDtcAddresses, casesNamingProducts, listLifecycleNotices, recordLifecycleNotice } from "../store/repos/lifecycle.js";
import { retryTransient } from "../store/retry.js";
import { lifecycleNoticeMessage } from "./notice-message.js";
import { dueNotices, noticeKey, type DueNotice } from "./notices.js";

export interface LifecycleNoticesOptions {
  db: Db;
  desk: Desk;
  clock: Clock;
  logger: Pick<WorkLogger, "info" | "warn" | "error">;
  /** Only say what would be sent. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export type NoticeStatus = "queued" | "would send" | "sent before" | "no active DTC";

export interface PlannedNotice {
  notice: DueNotice;
  to: string[];
  status: NoticeStatus;
}

export async function lifecycleNoticesTick(opts: LifecycleNoticesOptions): Promise<{ queued: number; notices: PlannedNotice[] }> {
  const { db, desk, logger } = opts;
  const now = opts.clock.now();
  const policyIds = [...desk.policies.values()].filter((p) => p.lifecycle?.table).map((p) => p.id);
  const due = dueNotices(desk.policies, await casesNamingProducts(db, policyIds), now);
  if (due.length === 0) return { queued: 0, notices: [] };
  const dtcs = await activeDtcAddresses(db, [...new Set(due.map((n) => n.organizationId))]);
  const recorded = new Set((await listLifecycleNotices(db)).map((r) => noticeKey({ ...r, date: r.dueOn, milestone: r.milestone as DueNotice["milestone"] })));
  const notices: PlannedNotice[] = [];
  let queued = 0;
  for (const notice of due) {
    const to = dtcs.get(notice.organizationId) ?? [];
    let status: NoticeStatus = recorded.has(noticeKey(notice)) ? "sent before" : to.length === 0 ? "no active DTC" : opts.dryRun ? "would send" : "queued";
    if (status === "no active DTC") logger.warn({ organization: notice.organization, product: notice.product, version: notice.version, milestone: notice.milestone }, "lifecycle notice due, but the organization has no active DTC to tell");
    if (status === "queued") {
      try {
        const fresh = await retryTransient(() => queueNotice(opts, notice, to, now), { signal: opts.signal });
        if (fresh) {
          queued++;
          logger.info({ organization: notice.organization, product: notice.product, version: notice.version, milestone: notice.milestone, date: notice.date, to }, "lifecycle notice queued");
        } else status = "sent before";
      } catch (error) {
        logger.error({ organization: notice.organization, key: noticeKey(notice), error: (error as Error).message }, "lifecycle notice failed; tried again next run");
        continue;
      }
    }
    notices.push({ notice, to, status });
  }
  return { queued, notices };
}

/** The record and the mail in one transaction; false when another run recorded it first. */
async function queueNotice(opts: LifecycleNoticesOptions, n: DueNotice, to: string[], now: number): Promise<boolean> {
  const product = opts.desk.policies.get(n.policyId)?.lifecycle?.table?.products.find((p) => p.name === n.product);
  const mail = lifecycleNoticeMessage(opts.desk, n, to, product);
  if (!mail) return false;
  return opts.db.transaction(async (tx) => {
    const fresh = await recordLifecycleNotice(tx, { organizationId: n.organizationId, product: n.product, version: n.version, milestone: n.milestone, dueOn: n.date, recipients: mail.to, queuedAt: new Date(now) });
    if (fresh) await enqueue(tx, mail, now);
    return fresh;
  });
}
