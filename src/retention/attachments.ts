/**
 * Attachment retention (Konneqt: "Konneqt will retain attachments related to support cases for 90 days
 * after the case is resolved or closed, or from the termination of the contract—whichever occurs first.
 * After this period, all attachments will be deleted"). The bytes go; the record of the attachment (name,
 * type, size, sha256) stays on the thread, and the case's trail says when and why they went.
 */
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Policy } from "../policy/types.js";
import type { Db } from "../store/database.js";
import { attachments, caseEvents, cases, messages, organizations } from "../store/schema/index.js";

const DAY = 86_400_000;

export interface PurgeSummary {
  cases: number;
  attachments: number;
}

/** Attachments of one policy's cases whose retention ran out at `now`, with their case. */
function expired(db: Db, policyId: string, days: number, now: number) {
  const cutoff = new Date(now - days * DAY);
  // When the case was last resolved or closed: the trail says, the status column only says whether.
  const closedAt = sql`(select max(${caseEvents.at}) from ${caseEvents}
    where ${caseEvents.caseId} = ${cases.id} and ${caseEvents.kind} = 'status-changed'
      and ${caseEvents.data}->>'status' in ('resolved', 'closed'))`;
  return db
    .select({ id: attachments.id, caseId: cases.id })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .innerJoin(cases, eq(cases.id, messages.caseId))
    .innerJoin(organizations, eq(organizations.id, cases.organizationId))
    .where(
      and(
        eq(cases.policyId, policyId),
        isNotNull(attachments.content),
        sql`(
          (${cases.status} in ('resolved', 'closed') and ${closedAt} <= ${cutoff.toISOString()}::timestamptz)
          or (${organizations.contractEnd} is not null
              and ${organizations.contractEnd}::timestamptz <= ${cutoff.toISOString()}::timestamptz)
        )`,
      ),
    );
}

export async function purgeExpiredAttachments(db: Db, policies: ReadonlyMap<string, Policy>, now: number): Promise<PurgeSummary> {
  const summary: PurgeSummary = { cases: 0, attachments: 0 };
  for (const policy of policies.values()) {
    const days = policy.retention?.attachmentsDaysAfterClose;
    if (days === undefined) continue;
    await db.transaction(async (tx) => {
      const rows = await expired(tx, policy.id, days, now);
      if (rows.length === 0) return;
      await tx.update(attachments).set({ content: null }).where(inArray(attachments.id, rows.map((r) => r.id)));
      const byCase = new Map<number, number>();
      for (const r of rows) byCase.set(r.caseId, (byCase.get(r.caseId) ?? 0) + 1);
      await tx.insert(caseEvents).values(
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
