/**
 * Attachment retention (Konneqt: "Konneqt will retain attachments related to support cases for 90 days
 * after the case is resolved or closed, or from the termination of the contract—whichever occurs first.
 * After this period, all attachments will be deleted"). The bytes go; the record of the attachment (name,
 * type, size, sha256) stays on the thread, and the case's trail says when and why they went.
 */
import type { Policy } from "../policy/types.js";
import type { Db } from "../store/database.js";
import { appendEvents } from "../store/repos/events.js";
import { dropAttachmentContents, listExpiredAttachments } from "../store/repos/retention.js";

const DAY = 86_400_000;

export interface PurgeSummary {
  cases: number;
  attachments: number;
}

export async function purgeExpiredAttachments(db: Db, policies: ReadonlyMap<string, Policy>, now: number): Promise<PurgeSummary> {
  const summary: PurgeSummary = { cases: 0, attachments: 0 };
  for (const policy of policies.values()) {
    const days = policy.retention?.attachmentsDaysAfterClose;
    if (days === undefined) continue;
    await db.transaction(async (tx) => {
      const rows = await listExpiredAttachments(tx, policy.id, new Date(now - days * DAY));
      if (rows.length === 0) return;
      await dropAttachmentContents(tx, rows.map((r) => r.id));
      const byCase = new Map<number, number>();
      for (const r of rows) byCase.set(r.caseId, (byCase.get(r.caseId) ?? 0) + 1);
      await appendEvents(
        tx,
        [...byCase].map(([caseId, count]) => ({
          caseId,
          at: new Date(now),
          actor: "system",
          kind: "attachments-purged",
          data: { count, policy: policy.id, days },
        })),
      );
      summary.cases += byCase.size;
      summary.attachments += rows.length;
    });
  }
  return summary;
}
