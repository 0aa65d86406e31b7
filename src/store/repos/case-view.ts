/**
 * Everything `case show` (and the board's case page) reads of one case, as plain data: the case row, its
 * organization and requester, the assignee, the whole event trail, the mail received (with attachment records,
 * never their bytes) and the mail queued or sent for it. The presenter (src/cases/case-view.ts) turns this into
 * what a person reads; nothing here evaluates or formats.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { CaseViewAttachment, CaseViewData, CaseViewReceived, CaseViewSent } from "../../cases/case-view-data.js";
import { AppError } from "../../errors.js";
import type { Db } from "../database.js";
import { attachments, caseEvents, cases, contacts, messages, organizations, outbox, staff } from "../schema/index.js";

export async function loadCaseView(db: Db, number: number): Promise<CaseViewData | undefined> {
  const [head] = await db
    .select({ c: cases, org: organizations, requester: contacts })
    .from(cases)
    .innerJoin(organizations, eq(organizations.id, cases.organizationId))
    .innerJoin(contacts, eq(contacts.id, cases.requesterId))
    .where(eq(cases.number, number));
  if (!head) return undefined;
  const { c, org, requester } = head;
  const [assignee, events, received, sent] = await Promise.all([
    c.assigneeId === null ? Promise.resolve([]) : db.select({ id: staff.id, name: staff.name, email: staff.email, active: staff.active }).from(staff).where(eq(staff.id, c.assigneeId)),
    db.select().from(caseEvents).where(eq(caseEvents.caseId, c.id)).orderBy(asc(caseEvents.at), asc(caseEvents.id)),
    loadReceived(db, c.id),
    loadSent(db, c.id),
  ]);
  return {
    case: c,
    organization: {
      id: org.id,
      name: org.name,
      timeZone: org.timeZone,
      entitlements: org.entitlements,
      closedDates: org.closedDates,
      contract: org.contract,
      agreement: org.agreement,
    },
    requester: { id: requester.id, name: requester.name, email: requester.email, timeZone: requester.timeZone, dtc: requester.dtc },
    assignee: assignee[0] ?? null,
    events,
    received,
    sent,
  };
}

export async function requireCaseView(db: Db, number: number): Promise<CaseViewData> {
  const view = await loadCaseView(db, number);
  if (!view) throw new AppError("E_NOT_FOUND", `no case #${number}`);
  return view;
}

async function loadReceived(db: Db, caseId: number): Promise<CaseViewReceived[]> {
  const rows = await db
    .select({ id: messages.id, from: messages.from, to: messages.to, cc: messages.cc, subject: messages.subject, text: messages.text, receivedAt: messages.receivedAt })
    .from(messages)
    .where(eq(messages.caseId, caseId))
    .orderBy(asc(messages.receivedAt), asc(messages.id));
  const files = rows.length === 0 ? [] : await listAttachmentRecords(db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, attachments: files.filter((f) => f.messageId === r.id).map(({ messageId: _, ...f }) => f) }));
}

/** Attachment records without their bytes: whether the bytes are still stored is all a listing needs. */
async function listAttachmentRecords(db: Db, messageIds: number[]): Promise<Array<CaseViewAttachment & { messageId: number }>> {
  return db
    .select({
      id: attachments.id,
      messageId: attachments.messageId,
      filename: attachments.filename,
      contentType: attachments.contentType,
      size: attachments.size,
      sha256: attachments.sha256,
      stored: sql<boolean>`${attachments.content} is not null`,
    })
    .from(attachments)
    .where(inArray(attachments.messageId, messageIds))
    .orderBy(asc(attachments.id));
}

async function loadSent(db: Db, caseId: number): Promise<CaseViewSent[]> {
  return db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      from: outbox.from,
      to: outbox.to,
      cc: outbox.cc,
      subject: outbox.subject,
      text: outbox.text,
      state: outbox.state,
      queuedAt: outbox.createdAt,
      sentAt: outbox.sentAt,
      attachments: outbox.attachments,
    })
    .from(outbox)
    .where(eq(outbox.caseId, caseId))
    .orderBy(asc(outbox.createdAt), asc(outbox.id));
}

/** One attachment of a case with its bytes (null once retention deleted them); undefined when the case has no such attachment. */
export async function getCaseAttachment(
  db: Db,
  caseId: number,
  attachmentId: number,
): Promise<{ id: number; filename: string; contentType: string; size: number; sha256: string; content: Uint8Array | null } | undefined> {
  const [row] = await db
    .select({ id: attachments.id, filename: attachments.filename, contentType: attachments.contentType, size: attachments.size, sha256: attachments.sha256, content: attachments.content })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .where(and(eq(messages.caseId, caseId), eq(attachments.id, attachmentId)));
  return row;
}
