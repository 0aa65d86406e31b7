/**
 * The demo's read-back: what the worker wrote since the last look (events, outbox rows, rejections, each
 * after a row id), the next instants at which a tick has something to do, and every case with its parties.
 */
import { and, asc, eq, gt, min } from "drizzle-orm";
import type { Db } from "../database.js";
import { caseEvents, cases, contacts, inboundRejections, organizations, outbox } from "../schema/index.js";
import type { Case } from "./cases.js";
import type { Contact } from "./contacts.js";
import type { Rejection } from "./mailboxes.js";
import type { Organization } from "./organizations.js";
import type { OutboxRow } from "./outbox.js";

export async function listEventsAfter(
  db: Db,
  afterId: number,
): Promise<Array<{ id: number; kind: string; actor: string; data: Record<string, unknown>; c: Case }>> {
  return db
    .select({ id: caseEvents.id, kind: caseEvents.kind, actor: caseEvents.actor, data: caseEvents.data, c: cases })
    .from(caseEvents)
    .innerJoin(cases, eq(caseEvents.caseId, cases.id))
    .where(gt(caseEvents.id, afterId))
    .orderBy(asc(caseEvents.id));
}

/** Outbox rows after `afterId` with their case's number (null for mail about no case, the digest). */
export async function listOutboxAfter(db: Db, afterId: number): Promise<Array<{ row: OutboxRow; number: number | null }>> {
  return db
    .select({ row: outbox, number: cases.number })
    .from(outbox)
    .leftJoin(cases, eq(outbox.caseId, cases.id))
    .where(gt(outbox.id, afterId))
    .orderBy(asc(outbox.id));
}

export async function listRejectionsAfter(db: Db, afterId: number): Promise<Rejection[]> {
  return db.select().from(inboundRejections).where(gt(inboundRejections.id, afterId)).orderBy(asc(inboundRejections.id));
}

/** The earliest case next action and the earliest outbox retry after `after`, when there are any. */
export async function nextDueAfter(db: Db, after: Date): Promise<{ action: Date | null; retry: Date | null }> {
  const [action] = await db.select({ at: min(cases.nextActionAt) }).from(cases).where(gt(cases.nextActionAt, after));
  const [retry] = await db
    .select({ at: min(outbox.nextAttemptAt) })
    .from(outbox)
    .where(and(eq(outbox.state, "queued"), gt(outbox.nextAttemptAt, after)));
  return { action: action?.at ?? null, retry: retry?.at ?? null };
}

/** Every case by number, with its organization and requester. */
export async function listCasesWithParties(db: Db): Promise<Array<{ c: Case; org: Organization; requester: Contact }>> {
  return db
    .select({ c: cases, org: organizations, requester: contacts })
    .from(cases)
    .innerJoin(organizations, eq(cases.organizationId, organizations.id))
    .innerJoin(contacts, eq(cases.requesterId, contacts.id))
    .orderBy(asc(cases.number));
}

/** A case with a number of its own choosing (the demo's history), outside the sequence the desk numbers from. */
export async function createCaseNumbered(db: Db, number: number, input: Omit<typeof cases.$inferInsert, "id" | "number">): Promise<Case> {
  const [row] = await db.insert(cases).values({ ...input, number }).returning();
  return row!;
}
