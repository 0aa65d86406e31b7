/**
 * What the SLA engine reads and writes around a case: the clock-moving events of its trail, the facts of
 * its organization and requester, and the evaluation stored back (snapshot and the scheduler's index).
 */
import type { Agreement } from "../../entitlements/agreement.js";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { ServiceLevel } from "../../policy/types.js";
import type { Db } from "../database.js";
import { caseEvents, cases, contacts, organizations } from "../schema/index.js";
import type { Case } from "./cases.js";
import type { Organization } from "./organizations.js";

/** One event of a trail as the engine reads it; `at` in epoch milliseconds. */
export interface TrailEventRow {
  caseId: number;
  kind: string;
  at: number;
  data: Record<string, unknown>;
}

/** What the SLA engine needs of an organization besides the policy. */
export interface OrganizationSlaFacts {
  id: number;
  name: string;
  entitlements: string[];
  timeZone: string | null;
  closedDates: string[];
  contract: ServiceLevel[] | null;
  agreement: Agreement | null;
}

/** The events of these cases whose kind is one of `kinds`, per case in the order they happened. */
export async function listTrailEvents(db: Db, caseIds: number[], kinds: readonly string[]): Promise<TrailEventRow[]> {
  if (caseIds.length === 0) return [];
  const rows = await db
    .select({ caseId: caseEvents.caseId, kind: caseEvents.kind, at: caseEvents.at, data: caseEvents.data })
    .from(caseEvents)
    .where(and(inArray(caseEvents.caseId, caseIds), inArray(caseEvents.kind, [...kinds])))
    .orderBy(asc(caseEvents.caseId), asc(caseEvents.at), asc(caseEvents.id));
  return rows.map((r) => ({ caseId: r.caseId, kind: r.kind, at: r.at.getTime(), data: r.data }));
}

/**
 * listTrailEvents for tens of thousands of cases (the digest): binding one parameter per id would
 * dominate, so the ids travel as ONE int[] parameter (same rows, same order).
 */
export async function listTrailEventsMany(db: Db, caseIds: number[], kinds: readonly string[]): Promise<TrailEventRow[]> {
  const rows = await db
    // Epoch milliseconds straight from Postgres: a Date per event is most of the garbage of a digest.
    .select({ caseId: caseEvents.caseId, kind: caseEvents.kind, at: sql<number>`(extract(epoch from ${caseEvents.at}) * 1000)::float8`, data: caseEvents.data })
    .from(caseEvents)
    .where(and(sql`${caseEvents.caseId} = any(${sql.param(caseIds)}::int[])`, inArray(caseEvents.kind, [...kinds])))
    .orderBy(asc(caseEvents.caseId), asc(caseEvents.at), asc(caseEvents.id));
  for (const r of rows) r.at = Number(r.at);
  return rows;
}

/** A case with its organization and its requester's zone; undefined when there is no such case. */
export async function getCaseWithParties(
  tx: Db,
  caseId: number,
): Promise<{ c: Case; org: Organization; requesterZone: string | null } | undefined> {
  const [row] = await tx
    .select({ c: cases, org: organizations, requesterZone: contacts.timeZone })
    .from(cases)
    .innerJoin(organizations, eq(organizations.id, cases.organizationId))
    .innerJoin(contacts, eq(contacts.id, cases.requesterId))
    .where(eq(cases.id, caseId));
  return row;
}

/** The SLA facts of these organizations (a few columns only: the digest reads thousands). */
export async function listOrganizationSlaFacts(db: Db, ids: number[]): Promise<OrganizationSlaFacts[]> {
  if (ids.length === 0) return [];
  return db
    .select({
      id: organizations.id,
      name: organizations.name,
      entitlements: organizations.entitlements,
      timeZone: organizations.timeZone,
      closedDates: organizations.closedDates,
      contract: organizations.contract,
      agreement: organizations.agreement,
    })
    .from(organizations)
    .where(inArray(organizations.id, ids));
}

/** Contacts' names, addresses and zones by id (reminders name the requester; calendars may follow their zone). */
export async function listContactsById(db: Db, ids: number[]): Promise<Array<{ id: number; name: string; email: string; timeZone: string | null }>> {
  if (ids.length === 0) return [];
  return db
    .select({ id: contacts.id, name: contacts.name, email: contacts.email, timeZone: contacts.timeZone })
    .from(contacts)
    .where(inArray(contacts.id, ids));
}

/** A case's SLA as just evaluated: stored for display and the digest, and the scheduler's index. */
export interface CaseSlaUpdate {
  caseId: number;
  slaState: unknown;
  nextActionAt: Date | null;
}

export async function saveCaseSla(tx: Db, update: CaseSlaUpdate, updatedAt: Date): Promise<void> {
  await tx
    .update(cases)
    .set({ slaState: update.slaState, nextActionAt: update.nextActionAt, updatedAt })
    .where(eq(cases.id, update.caseId));
}

/** saveCaseSla for many cases in one statement, with the reminders each now counts as sent. */
export async function saveCaseSlaMany(tx: Db, updates: Array<CaseSlaUpdate & { remindersSent: string[] }>, updatedAt: Date): Promise<void> {
  if (updates.length === 0) return;
  const rows = updates.map(
    (u) =>
      sql`(${u.caseId}::int, ${sql.param(u.remindersSent)}::text[], ${JSON.stringify(u.slaState ?? null)}::jsonb, ${u.nextActionAt?.toISOString() ?? null}::timestamptz)`,
  );
  await tx.execute(sql`
    update ${cases} set
      reminders_sent = v.reminders_sent, sla_state = v.sla_state, next_action_at = v.next_action_at,
      updated_at = ${updatedAt.toISOString()}::timestamptz
    from (values ${sql.join(rows, sql`, `)}) as v(id, reminders_sent, sla_state, next_action_at)
    where ${cases.id} = v.id`);
}
