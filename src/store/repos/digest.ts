/** The digest's reads: the cases it reports on, found by index, with only the columns it shows. */
import { and, asc, desc, eq, gt, inArray, lt, lte, notInArray, or, sql } from "drizzle-orm";
import type { Db } from "../database.js";
import { cases, digestsSent, inboundRejections, type CaseStatusValue } from "../schema/index.js";

const OPEN: CaseStatusValue[] = ["open", "waiting"];

export interface DigestCaseRow {
  id: number;
  number: number;
  subject: string;
  status: CaseStatusValue;
  severity: string;
  policyId: string;
  organizationId: number;
  requesterId: number;
}

/**
 * Open cases plus the others updated after `since` (an index scan on status for the open ones, on
 * updated_at for the recent ones), none opened after `now`: a preview of a past day must not see them.
 * `onlyIds`: just those of these cases (the digest from the rollup evaluates a few afresh).
 */
export async function listDigestCases(db: Db, since: Date, now: Date, onlyIds?: number[]): Promise<DigestCaseRow[]> {
  const digestCase = and(or(inArray(cases.status, OPEN), and(notInArray(cases.status, OPEN), gt(cases.updatedAt, since))), lte(cases.openedAt, now));
  return db
    .select({
      id: cases.id,
      number: cases.number,
      subject: cases.subject,
      status: cases.status,
      severity: cases.severity,
      policyId: cases.policyId,
      organizationId: cases.organizationId,
      requesterId: cases.requesterId,
    })
    .from(cases)
    .where(onlyIds ? and(sql`${cases.id} = any(${sql.param(onlyIds)}::int[])`, digestCase) : digestCase);
}

/** When the manager's previous digest (of a day before `day`) was recorded; null for the first one. */
export async function previousDigestAt(db: Db, managerId: number, day: string): Promise<Date | null> {
  const [row] = await db
    .select({ sentAt: digestsSent.sentAt })
    .from(digestsSent)
    .where(and(eq(digestsSent.managerId, managerId), lt(digestsSent.day, day)))
    .orderBy(desc(digestsSent.day))
    .limit(1);
  return row?.sentAt ?? null;
}

/** Refused and quarantined inbound mail recorded in (since, now], counted by disposition and reason. */
export async function rejectionCounts(db: Db, since: Date, now: Date): Promise<Array<{ disposition: string; reason: string; count: number }>> {
  return db
    .select({ disposition: inboundRejections.disposition, reason: inboundRejections.reasonCode, count: sql<number>`count(*)::int` })
    .from(inboundRejections)
    .where(and(inArray(inboundRejections.disposition, ["refused", "quarantined"]), gt(inboundRejections.at, since), lte(inboundRejections.at, now)))
    .groupBy(inboundRejections.disposition, inboundRejections.reasonCode)
    .orderBy(asc(inboundRejections.disposition), asc(inboundRejections.reasonCode));
}

/** The latest time a case was saved (its SLA evaluated or its row changed); null without cases. */
export async function lastCaseUpdate(db: Db): Promise<Date | null> {
  const [row] = await db.select({ at: cases.updatedAt }).from(cases).orderBy(desc(cases.updatedAt)).limit(1);
  return row?.at ?? null;
}
