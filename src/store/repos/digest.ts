/** The digest's reads: the cases it reports on, found by index, with only the columns it shows. */
import { and, gt, inArray, lte, notInArray, or } from "drizzle-orm";
import type { Db } from "../database.js";
import { cases, type CaseStatusValue } from "../schema/index.js";

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
 */
export async function listDigestCases(db: Db, since: Date, now: Date): Promise<DigestCaseRow[]> {
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
    .where(and(or(inArray(cases.status, OPEN), and(notInArray(cases.status, OPEN), gt(cases.updatedAt, since))), lte(cases.openedAt, now)));
}
