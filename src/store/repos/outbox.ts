/**
 * Outbox rows and digest bookkeeping. Queuing is idempotent by key: a second insert with the same
 * idempotency key is a no-op that reports `inserted: false`, so retried transactions never send twice.
 * Claiming and delivery belong to src/outbox/.
 */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../database.js";
import { digestsSent, outbox, type OutboxState } from "../schema/index.js";

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = Omit<typeof outbox.$inferInsert, "id" | "state" | "attempts" | "sentAt" | "lockedUntil" | "lastError">;

export async function insertOutbox(db: Db, row: NewOutboxRow): Promise<{ inserted: boolean; id: number | undefined }> {
  const [created] = await db
    .insert(outbox)
    .values(row)
    .onConflictDoNothing({ target: outbox.idempotencyKey })
    .returning({ id: outbox.id });
  return { inserted: created !== undefined, id: created?.id };
}

export async function getOutboxByKey(db: Db, idempotencyKey: string): Promise<OutboxRow | undefined> {
  const [row] = await db.select().from(outbox).where(eq(outbox.idempotencyKey, idempotencyKey));
  return row;
}

export async function listOutbox(db: Db, filter: { caseId?: number; state?: OutboxState } = {}): Promise<OutboxRow[]> {
  const where = and(
    filter.caseId === undefined ? undefined : eq(outbox.caseId, filter.caseId),
    filter.state ? eq(outbox.state, filter.state) : undefined,
  );
  return db.select().from(outbox).where(where).orderBy(asc(outbox.id));
}

/** Records that a manager's digest for `day` went out; false when it already had (never twice). */
export async function markDigestSent(db: Db, managerId: number, day: string, sentAt: Date): Promise<boolean> {
  const rows = await db.insert(digestsSent).values({ managerId, day, sentAt }).onConflictDoNothing().returning({ id: digestsSent.id });
  return rows.length > 0;
}

export async function digestWasSent(db: Db, managerId: number, day: string): Promise<boolean> {
  const rows = await db
    .select({ id: digestsSent.id })
    .from(digestsSent)
    .where(and(eq(digestsSent.managerId, managerId), eq(digestsSent.day, day)));
  return rows.length > 0;
}
