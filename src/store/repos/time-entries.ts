/**
 * Time staff recorded on cases (`#time`, `case time`): `time-recorded` events, read per organization with
 * the case each was recorded on, for the query-hours count and `org usage`.
 */
import { and, asc, eq, gte, inArray, lt } from "drizzle-orm";
import type { Db } from "../database.js";
import { caseEvents, cases, contacts, staff } from "../schema/index.js";

export interface TimeEntryRow {
  organizationId: number;
  caseNumber: number;
  caseType: string;
  at: number;
  actor: string;
  minutes: number;
  counts: boolean;
  note: string | null;
}

/** Entries of these organizations' cases recorded in [from, to), oldest first. */
export async function listTimeEntries(db: Db, organizationIds: number[], from: Date, to: Date): Promise<TimeEntryRow[]> {
  if (organizationIds.length === 0) return [];
  const rows = await db
    .select({ organizationId: cases.organizationId, caseNumber: cases.number, caseType: cases.caseType, at: caseEvents.at, actor: caseEvents.actor, data: caseEvents.data })
    .from(caseEvents)
    .innerJoin(cases, eq(cases.id, caseEvents.caseId))
    .where(and(eq(caseEvents.kind, "time-recorded"), inArray(cases.organizationId, organizationIds), gte(caseEvents.at, from), lt(caseEvents.at, to)))
    .orderBy(asc(caseEvents.at), asc(caseEvents.id));
  return rows.map((r) => ({
    organizationId: r.organizationId,
    caseNumber: r.caseNumber,
    caseType: r.caseType,
    at: r.at.getTime(),
    actor: r.actor,
    minutes: typeof r.data.minutes === "number" ? r.data.minutes : 0,
    counts: r.data.counts !== false,
    note: typeof r.data.note === "string" ? r.data.note : null,
  }));
}

/** Addresses of an organization's active DTCs and of the active managers: who hears about its query hours. */
export async function queryHourAudience(db: Db, organizationId: number): Promise<{ dtcs: string[]; managers: string[] }> {
  const [dtcs, managers] = await Promise.all([
    db
      .select({ email: contacts.email })
      .from(contacts)
      .where(and(eq(contacts.organizationId, organizationId), eq(contacts.dtc, true), eq(contacts.active, true)))
      .orderBy(asc(contacts.email)),
    db
      .select({ email: staff.email })
      .from(staff)
      .where(and(eq(staff.role, "manager"), eq(staff.active, true)))
      .orderBy(asc(staff.email)),
  ]);
  return { dtcs: dtcs.map((r) => r.email), managers: managers.map((r) => r.email) };
}
