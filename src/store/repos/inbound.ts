/**
 * The inbound pipeline's queries: what deciding a batch of mail needs to read (one statement per kind
 * for the whole batch) and the bulk writes that apply it, all in the caller's transaction.
 */
import { and, asc, eq, gte, inArray, sql } from "drizzle-orm";
import type { CaseStatus } from "../../sla/types.js";
import { bulkInsert } from "../bulk.js";
import { executeRows, type Db } from "../database.js";
import { caseEvents, cases, contacts, inboundRejections, messages, organizations, outbox, staff, suppressedAddresses } from "../schema/index.js";
import type { Case, NewCase } from "./cases.js";
import type { Contact } from "./contacts.js";
import type { NewRejection } from "./mailboxes.js";
import type { NewMessage } from "./messages.js";
import type { Organization } from "./organizations.js";

const none = <T>(): Promise<T[]> => Promise.resolve([]);

/** The identities among `ids` that are already stored: a second copy of one of them is a duplicate. */
export async function storedMessageIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.select({ messageId: messages.messageId }).from(messages).where(inArray(messages.messageId, ids));
  return new Set(rows.map((r) => r.messageId!));
}

export async function contactsByEmail(db: Db, emails: string[]): Promise<Map<string, { contact: Contact; org: Organization }>> {
  if (emails.length === 0) return new Map();
  const rows = await db
    .select({ contact: contacts, org: organizations })
    .from(contacts)
    .innerJoin(organizations, eq(contacts.organizationId, organizations.id))
    .where(inArray(contacts.email, emails));
  return new Map(rows.map((r) => [r.contact.email, r]));
}

export async function activeStaffByEmail(db: Db, emails: string[]): Promise<Map<string, { email: string; name: string; role: string }>> {
  if (emails.length === 0) return new Map();
  const rows = await db.select().from(staff).where(inArray(staff.email, emails));
  return new Map(rows.filter((s) => s.active).map((s) => [s.email, { email: s.email, name: s.name, role: s.role }]));
}

/** Domain → the organization that lists it (lowest id first when several do). */
export async function organizationsByDomain(db: Db, domains: string[]): Promise<Map<string, Organization>> {
  const rows = domains.length
    ? await db.select().from(organizations).where(sql`${organizations.domains} && ${sql.param(domains)}::text[]`).orderBy(asc(organizations.id))
    : [];
  const byDomain = new Map<string, Organization>();
  for (const org of rows) for (const d of org.domains) if (!byDomain.has(d)) byDomain.set(d, org);
  return byDomain;
}

/** Message-ID → case number, for stored inbound mail on a case and for mail we queued on a case. */
export async function caseNumbersByMessageId(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const [stored, sent] = await Promise.all([
    db.select({ messageId: messages.messageId, number: cases.number }).from(messages).innerJoin(cases, eq(messages.caseId, cases.id)).where(inArray(messages.messageId, ids)),
    db.select({ messageId: outbox.messageId, number: cases.number }).from(outbox).innerJoin(cases, eq(outbox.caseId, cases.id)).where(inArray(outbox.messageId, ids)),
  ]);
  const byId = new Map<string, number>();
  for (const r of [...stored, ...sent]) if (r.messageId) byId.set(r.messageId, r.number);
  return byId;
}

/** A case named by a subject token, with who may use the token: its participants and its organization's contacts. */
export async function tokenCase(db: Db, number: number): Promise<{ number: number; participants: string[]; organizationContacts: string[] } | null> {
  const [c] = await db.select({ id: cases.id, organizationId: cases.organizationId }).from(cases).where(eq(cases.number, number));
  if (!c) return null;
  const [senders, orgContacts] = await Promise.all([
    db.select({ from: messages.from, to: messages.to, cc: messages.cc }).from(messages).where(eq(messages.caseId, c.id)),
    db.select({ email: contacts.email }).from(contacts).where(eq(contacts.organizationId, c.organizationId)),
  ]);
  const participants = new Set<string>();
  for (const m of senders) for (const a of [m.from, ...m.to, ...m.cc]) participants.add(a.toLowerCase());
  return { number, participants: [...participants], organizationContacts: orgContacts.map((r) => r.email) };
}

export async function caseStatuses(db: Db, numbers: number[]): Promise<Map<number, { status: CaseStatus; organization: string }>> {
  if (numbers.length === 0) return new Map();
  const rows = await db
    .select({ number: cases.number, status: cases.status, organization: organizations.name })
    .from(cases)
    .innerJoin(organizations, eq(cases.organizationId, organizations.id))
    .where(inArray(cases.number, numbers));
  return new Map(rows.map((r) => [r.number, { status: r.status, organization: r.organization }]));
}

/** Automatic replies (acknowledgments, refusals) queued to each address in the hour before `now`. */
export async function autoRepliesTo(db: Db, addresses: string[], now: number): Promise<Map<string, number>> {
  if (addresses.length === 0) return new Map();
  const rows = await db
    .select({ address: sql<string>`t.address`, n: sql<number>`count(*)::int` })
    .from(sql`${outbox}, unnest(${outbox.to}) as t(address)`)
    .where(and(inArray(outbox.kind, ["acknowledgment", "refusal", "acknowledgment-combined"]), gte(outbox.createdAt, new Date(now - 3_600_000)), sql`t.address = any(${sql.param(addresses)}::text[])`))
    .groupBy(sql`t.address`);
  return new Map(rows.map((r) => [r.address, r.n]));
}

/** Inserts inbound message rows; a row whose Message-ID is already stored is skipped (a concurrent copy). */
export async function insertInboundMessages(db: Db, rows: NewMessage[]): Promise<Map<string, number>> {
  const inserted = await bulkInsert<typeof messages, { id: number; messageId: string }>(db, messages, rows, { onConflictDoNothing: true, returning: ["id", "messageId"] });
  return new Map(inserted.map((r) => [r.messageId, r.id]));
}

/** `n` case numbers drawn from the case sequence, so every row of a batch is known before it is written. */
export async function nextCaseNumbers(db: Db, n: number): Promise<number[]> {
  if (n === 0) return [];
  const rows = await executeRows<{ n: number }>(db, sql`select nextval(pg_get_serial_sequence('cases', 'number'))::int as n from generate_series(1, ${n})`);
  return rows.map((r) => Number(r.n));
}

export function insertCases(db: Db, rows: Array<NewCase & { number: number }>): Promise<Array<Pick<Case, "id" | "number" | "subject">>> {
  return bulkInsert<typeof cases, { id: number; number: number; subject: string }>(db, cases, rows, { returning: ["id", "number", "subject"] });
}

export async function insertCaseEvents(db: Db, rows: Array<typeof caseEvents.$inferInsert>): Promise<void> {
  await bulkInsert(db, caseEvents, rows);
}

/** The active DTCs of each organization, by address (the acknowledgment's Cc). */
export function activeDtcsOf(db: Db, organizationIds: number[]): Promise<Array<{ organizationId: number; id: number; email: string }>> {
  if (organizationIds.length === 0) return none();
  return db
    .select({ organizationId: contacts.organizationId, id: contacts.id, email: contacts.email })
    .from(contacts)
    .where(and(inArray(contacts.organizationId, organizationIds), eq(contacts.dtc, true), eq(contacts.active, true)))
    .orderBy(asc(contacts.email));
}

export async function linkMessagesToCases(db: Db, links: Array<{ messageRowId: number; caseId: number }>): Promise<void> {
  if (links.length === 0) return;
  await db.execute(sql`
    update ${messages} set case_id = l.case_id
    from unnest(${sql.param(links.map((l) => l.messageRowId))}::int[], ${sql.param(links.map((l) => l.caseId))}::int[]) as l(id, case_id)
    where ${messages.id} = l.id`);
}

export async function insertRejections(db: Db, rows: NewRejection[]): Promise<void> {
  await bulkInsert(db, inboundRejections, rows);
}

/** The addresses among `addresses` that complained about our mail: no automatic mail goes to them. */
export async function suppressedAmong(db: Db, addresses: string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const rows = await db.select({ address: suppressedAddresses.address }).from(suppressedAddresses).where(inArray(suppressedAddresses.address, addresses));
  return new Set(rows.map((r) => r.address));
}

/** Stops automatic mail to the recipients of our mail `messageIds` (a complaint about it); returns them. */
export async function suppressRecipientsOf(db: Db, messageIds: string[], complaint: { reason: string; messageId: string | null; at: Date }): Promise<string[]> {
  if (messageIds.length === 0) return [];
  const rows = await executeRows<{ address: string }>(
    db,
    sql`insert into ${suppressedAddresses} (address, reason, complaint_message_id, at)
        select distinct lower(t.address), ${complaint.reason}::text, ${complaint.messageId}::text, ${complaint.at.toISOString()}::timestamptz
        from ${outbox}, unnest(${outbox.to}) as t(address)
        where ${outbox.messageId} = any(${sql.param(messageIds)}::text[])
        on conflict (address) do nothing
        returning address`,
  );
  return rows.map((r) => r.address);
}
