/** The append-only case trail: what happened, when, by whom. The SLA timeline is derived from it. */
import { asc, eq } from "drizzle-orm";
import type { Db } from "../database.js";
import { caseEvents } from "../schema/index.js";

export type CaseEvent = typeof caseEvents.$inferSelect;
export type NewCaseEvent = Omit<typeof caseEvents.$inferInsert, "id">;

export async function appendEvent(db: Db, event: NewCaseEvent): Promise<CaseEvent> {
  const [row] = await db.insert(caseEvents).values(event).returning();
  return row!;
}

/** In the order they happened (insertion order breaks ties at the same instant). */
export async function listEvents(db: Db, caseId: number): Promise<CaseEvent[]> {
  return db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.at), asc(caseEvents.id));
}

/** Several events in one statement (the scheduler's reminders, the retention purge). */
export async function appendEvents(db: Db, events: NewCaseEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.insert(caseEvents).values(events);
}
