/**
 * Breaches already past when their mail was read (schema/past-breaches.ts): written by the inbound apply step,
 * claimed by the summary that mails them to the managers once.
 */
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../database.js";
import { bulkInsert } from "../bulk.js";
import { cases, organizations, pastBreaches } from "../schema/index.js";

export type NewPastBreach = Omit<typeof pastBreaches.$inferInsert, "id" | "reportedAt">;

/** A past breach with what the summary says of its case. */
export interface UnreportedBreach {
  id: number;
  caseId: number;
  caseNumber: number;
  subject: string;
  severity: string;
  policyId: string;
  organization: string;
  /** When the mail that opened the case was received. */
  openedAt: Date;
  metric: string;
  dueAt: Date;
  notify: string[];
  foundAt: Date;
}

export async function insertPastBreaches(db: Db, rows: NewPastBreach[]): Promise<void> {
  if (rows.length === 0) return;
  await bulkInsert(db, pastBreaches, rows, { onConflictDoNothing: true });
}

/**
 * The mailbox's breaches no summary has named yet, oldest case first, locked for the caller's transaction
 * (SKIP LOCKED: a second worker summarising at the same moment takes none of them twice).
 */
export async function claimUnreportedBreaches(tx: Db, mailbox: string, limit = 1000): Promise<UnreportedBreach[]> {
  return tx
    .select({
      id: pastBreaches.id,
      caseId: pastBreaches.caseId,
      caseNumber: cases.number,
      subject: cases.subject,
      severity: cases.severity,
      policyId: cases.policyId,
      organization: organizations.name,
      openedAt: cases.openedAt,
      metric: pastBreaches.metric,
      dueAt: pastBreaches.dueAt,
      notify: pastBreaches.notify,
      foundAt: pastBreaches.foundAt,
    })
    .from(pastBreaches)
    .innerJoin(cases, eq(cases.id, pastBreaches.caseId))
    .innerJoin(organizations, eq(organizations.id, cases.organizationId))
    .where(and(eq(pastBreaches.mailbox, mailbox), isNull(pastBreaches.reportedAt)))
    .orderBy(asc(cases.number), asc(pastBreaches.dueAt), asc(pastBreaches.id))
    .limit(limit)
    .for("update", { of: pastBreaches, skipLocked: true });
}

export async function markBreachesReported(tx: Db, ids: number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.update(pastBreaches).set({ reportedAt: at }).where(inArray(pastBreaches.id, ids));
}

/** Every past breach of a case (case show, tests). */
export function listPastBreaches(db: Db, caseId?: number) {
  const q = db.select().from(pastBreaches);
  return (caseId === undefined ? q : q.where(eq(pastBreaches.caseId, caseId))).orderBy(asc(pastBreaches.id));
}
