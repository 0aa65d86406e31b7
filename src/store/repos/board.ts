/**
 * What the board reads and the little it writes: its sign-in links and cookie key, and the queue of open
 * cases in next-due order (the expression index of migration 0010, so page 1 of 100,000 is an index scan).
 */
import { and, asc, eq, gt, ilike, isNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "../database.js";
import { attachments, boardSecret, boardSignInLinks, cases, messages, organizations, staff } from "../schema/index.js";

/** The cookie key kept in the database: the first caller's random one wins, every process reads the same. */
export async function boardCookieKey(db: Db, candidate: string, now: Date): Promise<string> {
  await db.insert(boardSecret).values({ id: 1, secret: candidate, createdAt: now }).onConflictDoNothing();
  const [row] = await db.select({ secret: boardSecret.secret }).from(boardSecret).where(eq(boardSecret.id, 1));
  return row!.secret;
}

export async function insertSignInLink(db: Db, link: { staffId: number; tokenHash: string; createdAt: Date; expiresAt: Date }): Promise<void> {
  await db.insert(boardSignInLinks).values(link);
}

export type SignInRedemption = { ok: true; staffId: number } | { ok: false; reason: "unknown" | "used" | "expired" };

/** Uses a link once: the update that marks it used is the check, so two tabs racing get one session. */
export async function redeemSignInLink(db: Db, tokenHash: string, now: Date): Promise<SignInRedemption> {
  const [used] = await db
    .update(boardSignInLinks)
    .set({ usedAt: now })
    .where(and(eq(boardSignInLinks.tokenHash, tokenHash), isNull(boardSignInLinks.usedAt), gt(boardSignInLinks.expiresAt, now)))
    .returning({ staffId: boardSignInLinks.staffId });
  if (used) return { ok: true, staffId: used.staffId };
  const [link] = await db.select().from(boardSignInLinks).where(eq(boardSignInLinks.tokenHash, tokenHash));
  if (!link) return { ok: false, reason: "unknown" };
  return { ok: false, reason: link.usedAt ? "used" : "expired" };
}

export interface QueueFilter {
  organization?: string;
  status?: "open" | "waiting";
  severity?: string;
  policy?: string;
  /** A staff email, or "none" for unassigned cases. */
  assignee?: string;
  /** Only cases with a target already past its due time and not met. */
  breached?: boolean;
  dueBefore?: Date;
  /** Words in the subject. */
  text?: string;
}

export interface QueueRow {
  id: number;
  number: number;
  subject: string;
  status: string;
  severity: string;
  policyId: string;
  caseType: string;
  organizationId: number;
  organization: string;
  requesterId: number;
  assignee: string | null;
  nextDueMs: number | null;
}

const nextDue = sql<number | null>`case_next_due_ms(${cases.slaState})`;
/** Written exactly as the partial index's predicate, so the planner can use the index. */
const isOpen = sql`${cases.status} in ('open', 'waiting')`;

/** One page of open cases, soonest due first (cases with nothing due last), `limit + 1` rows to tell if more follow. */
export async function queuePage(db: Db, filter: QueueFilter, now: Date, page: { limit: number; offset: number }): Promise<QueueRow[]> {
  const where: Array<SQL | undefined> = [
    isOpen,
    filter.status ? eq(cases.status, filter.status) : undefined,
    filter.organization ? eq(organizations.name, filter.organization) : undefined,
    filter.severity ? eq(cases.severity, filter.severity) : undefined,
    filter.policy ? eq(cases.policyId, filter.policy) : undefined,
    filter.assignee === "none" ? isNull(cases.assigneeId) : filter.assignee ? eq(staff.email, filter.assignee.toLowerCase()) : undefined,
    filter.breached ? sql`${nextDue} < ${now.getTime()}` : undefined,
    filter.dueBefore ? sql`${nextDue} < ${filter.dueBefore.getTime()}` : undefined,
    filter.text ? ilike(cases.subject, `%${filter.text.replace(/[\\%_]/g, (c) => "\\" + c)}%`) : undefined,
  ];
  const rows = await db
    .select({
      id: cases.id,
      number: cases.number,
      subject: cases.subject,
      status: cases.status,
      severity: cases.severity,
      policyId: cases.policyId,
      caseType: cases.caseType,
      organizationId: cases.organizationId,
      organization: organizations.name,
      requesterId: cases.requesterId,
      assignee: staff.email,
      nextDueMs: nextDue,
    })
    .from(cases)
    .innerJoin(organizations, eq(organizations.id, cases.organizationId))
    .leftJoin(staff, eq(staff.id, cases.assigneeId))
    .where(and(...where))
    .orderBy(sql`${nextDue} asc nulls last`, asc(cases.number))
    .limit(page.limit + 1)
    .offset(page.offset);
  return rows.map((r) => ({ ...r, nextDueMs: r.nextDueMs === null ? null : Number(r.nextDueMs) }));
}

/** Open and waiting cases per organization id. */
export async function openCasesByOrganization(db: Db): Promise<Map<number, number>> {
  const rows = await db
    .select({ organizationId: cases.organizationId, count: sql<number>`count(*)::int` })
    .from(cases)
    .where(isOpen)
    .groupBy(cases.organizationId);
  return new Map(rows.map((r) => [r.organizationId, Number(r.count)]));
}

/** One attachment of one case, with its bytes (null once retention deleted them); undefined when the case has no such attachment. */
export async function caseAttachment(db: Db, caseId: number, attachmentId: number) {
  const [row] = await db
    .select({ id: attachments.id, filename: attachments.filename, size: attachments.size, content: attachments.content })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .where(and(eq(attachments.id, attachmentId), eq(messages.caseId, caseId)));
  return row;
}

/** The attachments of a case's messages, without their bytes. */
export async function caseAttachmentList(db: Db, caseId: number) {
  return db
    .select({ id: attachments.id, messageId: attachments.messageId, filename: attachments.filename, contentType: attachments.contentType, size: attachments.size, sha256: attachments.sha256, kept: sql<boolean>`${attachments.content} is not null` })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .where(eq(messages.caseId, caseId))
    .orderBy(asc(attachments.id));
}
