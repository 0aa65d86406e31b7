/**
 * Acknowledgments held by the per-sender cap (schema/outbox.ts deferredAcknowledgments): written when a
 * case opens beyond the cap, combined into one message by the scheduler when the window allows.
 */
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { bulkInsert } from "../bulk.js";
import type { Db } from "../database.js";
import { cases, contacts, deferredAcknowledgments } from "../schema/index.js";

export type DeferredAcknowledgment = typeof deferredAcknowledgments.$inferSelect;

export async function insertDeferredAcknowledgments(db: Db, rows: Array<typeof deferredAcknowledgments.$inferInsert>): Promise<void> {
  await bulkInsert(db, deferredAcknowledgments, rows, { onConflictDoNothing: true });
}

/** Held acknowledgments not yet combined, locked (SKIP LOCKED: another worker's tick takes the others), with their cases. */
export async function lockPendingAcknowledgments(db: Db, limit: number) {
  return db
    .select({ held: deferredAcknowledgments, c: cases, requesterName: contacts.name, requesterZone: contacts.timeZone })
    .from(deferredAcknowledgments)
    .innerJoin(cases, eq(cases.id, deferredAcknowledgments.caseId))
    .innerJoin(contacts, eq(contacts.id, cases.requesterId))
    .where(isNull(deferredAcknowledgments.combinedKey))
    .orderBy(asc(deferredAcknowledgments.address), asc(cases.number))
    .limit(limit)
    .for("update", { of: deferredAcknowledgments, skipLocked: true });
}

export async function markAcknowledgmentsCombined(db: Db, caseIds: number[], combinedKey: string, queuedAt: Date): Promise<void> {
  if (caseIds.length === 0) return;
  await db
    .update(deferredAcknowledgments)
    .set({ combinedKey, queuedAt })
    .where(and(inArray(deferredAcknowledgments.caseId, caseIds), isNull(deferredAcknowledgments.combinedKey)));
}

export async function listDeferredAcknowledgments(db: Db): Promise<DeferredAcknowledgment[]> {
  return db.select().from(deferredAcknowledgments).orderBy(asc(deferredAcknowledgments.deferredAt));
}
