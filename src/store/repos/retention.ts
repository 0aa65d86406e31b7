/** Attachment retention's queries: which stored bytes have outlived their policy, and dropping them. */
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../database.js";
import { attachments, caseEvents, cases, messages, organizations } from "../schema/index.js";

/**
 * Attachments (with bytes) of one policy's cases resolved or closed at or before `cutoff`, or whose
 * organization's contract ended by then; each with its case.
 */
export async function listExpiredAttachments(db: Db, policyId: string, cutoff: Date): Promise<Array<{ id: number; caseId: number }>> {
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

/** The bytes go; the attachment's record (name, type, size, sha256) stays on the thread. */
export async function dropAttachmentContents(tx: Db, ids: number[]): Promise<void> {
  await tx.update(attachments).set({ content: null }).where(inArray(attachments.id, ids));
}
