/**
 * Personal-data erasure's queries (src/retention/personal-data.ts decides what the values become): the
 * organizations and their erasure records, the people found in an organization's data, and the rows that may
 * hold them, read and rewritten in batches by id so each batch is one short transaction.
 */
import { and, asc, eq, gt, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Agreement } from "../../entitlements/agreement.js";
import type { Db } from "../database.js";
import {
  attachments,
  caseEvents,
  cases,
  contacts,
  deferredAcknowledgments,
  erasurePeople,
  inboundRejections,
  mailboxes,
  messages,
  organizations,
  outbox,
  personalDataErasures,
  processingAttempts,
  staff,
  suppressedAddresses,
  type ErasureCounts,
} from "../schema/index.js";

export type { ErasureCounts };

export interface RetentionOrgRow {
  id: number;
  name: string;
  policyId: string;
  contractStart: string | null;
  contractEnd: string | null;
  timeZone: string | null;
  agreement: Agreement | null;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** Every organization with its erasure record, if any, by name. */
export async function listRetentionOrgs(db: Db): Promise<RetentionOrgRow[]> {
  return db
    .select({
      id: organizations.id,
      name: organizations.name,
      policyId: organizations.policyId,
      contractStart: organizations.contractStart,
      contractEnd: organizations.contractEnd,
      timeZone: organizations.timeZone,
      agreement: organizations.agreement,
      startedAt: personalDataErasures.startedAt,
      completedAt: personalDataErasures.completedAt,
    })
    .from(organizations)
    .leftJoin(personalDataErasures, eq(personalDataErasures.organizationId, organizations.id))
    .orderBy(asc(organizations.name));
}

const orgCases = (orgId: number) => sql`(select ${cases.id} from ${cases} where ${cases.organizationId} = ${orgId})`;

/** The organization's contacts (by id) and every address on its cases' mail, for the person list. */
export async function findPeople(db: Db, orgId: number): Promise<{ contacts: Array<{ email: string; name: string }>; addresses: string[] }> {
  const people = await db.select({ email: contacts.email, name: contacts.name }).from(contacts).where(eq(contacts.organizationId, orgId)).orderBy(asc(contacts.id));
  const inOrg = (col: PgColumn | SQL) => sql`${col} in ${orgCases(orgId)}`;
  const m = await db.select({ from: messages.from, to: messages.to, cc: messages.cc }).from(messages).where(inOrg(messages.caseId));
  const o = await db.select({ from: outbox.from, replyTo: outbox.replyTo, to: outbox.to, cc: outbox.cc }).from(outbox).where(inOrg(outbox.caseId));
  const d = await db.select({ address: deferredAcknowledgments.address }).from(deferredAcknowledgments).where(inOrg(deferredAcknowledgments.caseId));
  // Mail that opened no case (a colleague who is not a DTC, refused politely) is found by the organization's domains.
  const [org] = await db.select({ domains: organizations.domains }).from(organizations).where(eq(organizations.id, orgId));
  const atDomain = sql.param((org?.domains ?? []).map((d) => `%@${d.toLowerCase().replace(/[\\%_]/g, "\\$&")}`));
  const r = await db.select({ from: inboundRejections.from }).from(inboundRejections).where(sql`lower(${inboundRejections.from}) like any(${atDomain}::text[])`);
  const u = await db
    .select({ to: outbox.to, cc: outbox.cc })
    .from(outbox)
    .where(and(isNull(outbox.caseId), sql`exists (select 1 from unnest(${outbox.to} || ${outbox.cc}) a where lower(a) like any(${atDomain}::text[]))`));
  const s = await db.select({ address: suppressedAddresses.address }).from(suppressedAddresses).where(sql`${suppressedAddresses.address} like any(${atDomain}::text[])`);
  const seen = [
    ...m.flatMap((x) => [x.from, ...x.to, ...x.cc]),
    ...o.flatMap((x) => [x.from, x.replyTo, ...x.to, ...x.cc]),
    ...d.map((x) => x.address),
    ...r.map((x) => x.from),
    ...u.flatMap((x) => [...x.to, ...x.cc]),
    ...s.map((x) => x.address),
  ];
  const addresses = [...new Set(seen.filter((a): a is string => Boolean(a)).map((a) => a.toLowerCase()))].sort();
  return { contacts: people, addresses };
}

/** Addresses and names that are ours: staff and mailboxes (never erased). */
export async function ourPeople(db: Db): Promise<{ addresses: string[]; names: string[] }> {
  const s = await db.select({ email: staff.email, name: staff.name }).from(staff);
  const m = await db.select({ address: mailboxes.address }).from(mailboxes);
  return { addresses: [...s.map((r) => r.email), ...m.map((r) => r.address)], names: s.map((r) => r.name) };
}

export interface PersonRow {
  personNo: number;
  address: string | null;
  name: string | null;
  pseudonymAddress: string;
  pseudonymName: string;
}

export async function loadErasurePeople(db: Db, orgId: number): Promise<PersonRow[]> {
  return db
    .select({ personNo: erasurePeople.personNo, address: erasurePeople.address, name: erasurePeople.name, pseudonymAddress: erasurePeople.pseudonymAddress, pseudonymName: erasurePeople.pseudonymName })
    .from(erasurePeople)
    .where(eq(erasurePeople.organizationId, orgId))
    .orderBy(asc(erasurePeople.personNo));
}

/** Starts the erasure: its record and the person map; a no-op when one already started (a resumed run). */
export async function startErasure(
  tx: Db,
  e: { organizationId: number; contractEnd: string; retentionDays: number; startedAt: Date; people: PersonRow[] },
): Promise<boolean> {
  const [row] = await tx
    .insert(personalDataErasures)
    .values({ organizationId: e.organizationId, contractEnd: e.contractEnd, retentionDays: e.retentionDays, startedAt: e.startedAt, counts: { people: e.people.length, kinds: {}, byCase: {} } })
    .onConflictDoNothing()
    .returning({ id: personalDataErasures.organizationId });
  if (!row) return false;
  if (e.people.length > 0) await tx.insert(erasurePeople).values(e.people.map((p) => ({ ...p, organizationId: e.organizationId })));
  return true;
}

/** The record, locked for this transaction's batch. */
export async function lockErasure(tx: Db, orgId: number): Promise<{ counts: ErasureCounts; completedAt: Date | null } | undefined> {
  const [row] = await tx.select({ counts: personalDataErasures.counts, completedAt: personalDataErasures.completedAt }).from(personalDataErasures).where(eq(personalDataErasures.organizationId, orgId)).for("update");
  return row;
}

export async function saveErasureCounts(tx: Db, orgId: number, counts: ErasureCounts): Promise<void> {
  await tx.update(personalDataErasures).set({ counts }).where(eq(personalDataErasures.organizationId, orgId));
}

/** Completes it: the person map (the last copy of the values) goes, the record stays. */
export async function completeErasure(tx: Db, orgId: number, at: Date): Promise<void> {
  await tx.delete(erasurePeople).where(eq(erasurePeople.organizationId, orgId));
  await tx.update(personalDataErasures).set({ completedAt: at }).where(eq(personalDataErasures.organizationId, orgId));
}

/** What an erasure may touch, one table at a time. */
export type ErasureKind = "cases" | "messages" | "attachments" | "events" | "outbox" | "rejections" | "deferred-acks";
export type ErasableRow = { id: number; caseId: number | null } & Record<string, unknown>;

interface KindQuery {
  table: PgTable;
  id: PgColumn;
  fields: Record<string, PgColumn | SQL.Aliased>;
  caseId: PgColumn | SQL;
  where: (orgId: number, addresses: string[]) => SQL | undefined;
}

const anyOf = (addresses: string[]) => sql`${sql.param(addresses)}::text[]`;

const KINDS: Record<ErasureKind, KindQuery> = {
  cases: {
    table: cases,
    id: cases.id,
    caseId: cases.id,
    fields: { subject: cases.subject, severityReason: cases.severityReason, environment: cases.environment, productVersion: cases.productVersion, clientApp: cases.clientApp, namespaces: cases.namespaces, templateFields: cases.templateFields },
    where: (orgId) => eq(cases.organizationId, orgId),
  },
  messages: {
    table: messages,
    id: messages.id,
    caseId: messages.caseId,
    fields: { from: messages.from, to: messages.to, cc: messages.cc, subject: messages.subject, text: messages.text, html: messages.html },
    where: (orgId, addresses) =>
      or(sql`${messages.caseId} in ${orgCases(orgId)}`, and(isNull(messages.caseId), sql`(lower(${messages.from}) = any(${anyOf(addresses)}) or ${messages.to} && ${anyOf(addresses)} or ${messages.cc} && ${anyOf(addresses)})`)),
  },
  attachments: {
    table: attachments,
    id: attachments.id,
    caseId: sql`(select ${messages.caseId} from ${messages} where ${messages.id} = ${attachments.messageId})`,
    fields: { filename: attachments.filename, hasContent: sql<boolean>`${attachments.content} is not null`.as("has_content") },
    where: (orgId) => sql`${attachments.messageId} in (select ${messages.id} from ${messages} where ${messages.caseId} in ${orgCases(orgId)})`,
  },
  events: {
    table: caseEvents,
    id: caseEvents.id,
    caseId: caseEvents.caseId,
    fields: { actor: caseEvents.actor, data: caseEvents.data },
    where: (orgId) => sql`${caseEvents.caseId} in ${orgCases(orgId)}`,
  },
  outbox: {
    table: outbox,
    id: outbox.id,
    caseId: outbox.caseId,
    fields: { from: outbox.from, to: outbox.to, cc: outbox.cc, replyTo: outbox.replyTo, subject: outbox.subject, text: outbox.text, html: outbox.html, headers: outbox.headers, attachments: outbox.attachments, lastError: outbox.lastError, state: outbox.state },
    where: (orgId, addresses) => sql`(${outbox.caseId} in ${orgCases(orgId)} or ${outbox.to} && ${anyOf(addresses)} or ${outbox.cc} && ${anyOf(addresses)})`,
  },
  rejections: {
    table: inboundRejections,
    id: inboundRejections.id,
    caseId: sql<null>`null::int`,
    fields: { from: inboundRejections.from, subject: inboundRejections.subject, detail: inboundRejections.detail, replyWithheld: inboundRejections.replyWithheld, retryOutcome: inboundRejections.retryOutcome, hasRaw: sql<boolean>`${inboundRejections.raw} is not null`.as("has_raw") },
    // A quarantined message may have no readable sender: its stored bytes are searched for the addresses too.
    where: (_orgId, addresses) =>
      sql`(lower(${inboundRejections.from}) = any(${anyOf(addresses)})
        or exists (select 1 from unnest(${anyOf(addresses)}) a where position(convert_to(a, 'UTF8') in ${inboundRejections.raw}) > 0))`,
  },
  "deferred-acks": {
    table: deferredAcknowledgments,
    id: deferredAcknowledgments.caseId,
    caseId: deferredAcknowledgments.caseId,
    fields: { address: deferredAcknowledgments.address, reason: deferredAcknowledgments.reason },
    where: (orgId) => sql`${deferredAcknowledgments.caseId} in ${orgCases(orgId)}`,
  },
};

export const ERASURE_KINDS = Object.keys(KINDS) as ErasureKind[];

/** The next `limit` rows of one kind after id `after` that belong to the organization or name its people. */
export async function erasableBatch(db: Db, kind: ErasureKind, orgId: number, addresses: string[], after: number, limit: number): Promise<ErasableRow[]> {
  const k = KINDS[kind];
  const rows = await db
    .select({ id: k.id, caseId: sql<number | null>`${k.caseId}`.as("erasure_case_id"), ...k.fields })
    .from(k.table)
    .where(and(k.where(orgId, addresses), gt(k.id, after)))
    .orderBy(asc(k.id))
    .limit(limit);
  return rows as ErasableRow[];
}

/** Writes the erased values of one row (`content`/`raw` set to null drop stored bytes). */
export async function updateErased(tx: Db, kind: ErasureKind, id: number, patch: Record<string, unknown>): Promise<void> {
  const k = KINDS[kind];
  const { hasContent, hasRaw, ...values } = patch;
  if (hasContent === false) values.content = null;
  if (hasRaw === false) values.raw = null;
  await tx.update(k.table).set(values).where(eq(k.id, id));
}

/** Suppressed addresses and failure notes naming the people (few rows: one transaction). */
export async function eraseStrays(tx: Db, addresses: string[], rewrite: (s: string) => string): Promise<{ suppressed: number; failures: number }> {
  if (addresses.length === 0) return { suppressed: 0, failures: 0 };
  const sup = await tx.select().from(suppressedAddresses).where(inArray(suppressedAddresses.address, addresses));
  for (const r of sup) {
    await tx.update(suppressedAddresses).set({ address: rewrite(r.address), reason: rewrite(r.reason), complaintMessageId: r.complaintMessageId && rewrite(r.complaintMessageId) }).where(eq(suppressedAddresses.address, r.address));
  }
  const patterns = addresses.map((a) => `%${a.replace(/[\\%_]/g, "\\$&")}%`);
  const fails = await tx.select().from(processingAttempts).where(and(isNotNull(processingAttempts.lastError), sql`lower(${processingAttempts.lastError}) like any(${sql.param(patterns)}::text[])`));
  for (const r of fails) await tx.update(processingAttempts).set({ lastError: rewrite(r.lastError!) }).where(eq(processingAttempts.sourceKey, r.sourceKey));
  return { suppressed: sup.length, failures: fails.length };
}

/**
 * The organization's directory entries and contract record (portal data): each contact keeps only its pseudonym
 * (cases still point at it; its time zone stays, as the clocks of policies that follow the customer's local time
 * read it) and is no longer a DTC, named contact or active; the engineer link, account contact, domains go;
 * of the agreement only the agreed hours stay, because the cases' SLA figures are computed from them.
 */
export async function erasePortalData(tx: Db, orgId: number, pseudonyms: Map<string, { address: string; name: string }>): Promise<{ contacts: number }> {
  const rows = await tx.select({ id: contacts.id, email: contacts.email }).from(contacts).where(eq(contacts.organizationId, orgId));
  for (const r of rows) {
    const p = pseudonyms.get(r.email);
    if (!p) continue;
    await tx.update(contacts).set({ email: p.address, name: p.name, dtc: false, namedContact: false, active: false }).where(eq(contacts.id, r.id));
  }
  await tx
    .update(organizations)
    .set({
      engineerId: null,
      accountContact: null,
      domains: [],
      agreement: sql`case when ${organizations.agreement} ? 'hours' then jsonb_build_object('hours', ${organizations.agreement}->'hours') else null end`,
    })
    .where(eq(organizations.id, orgId));
  return { contacts: rows.filter((r) => pseudonyms.has(r.email)).length };
}

/** How many directory entries the organization has that still hold a person (not yet a pseudonym). */
export async function countLiveContacts(db: Db, orgId: number): Promise<number> {
  const rows = await db.select({ id: contacts.id }).from(contacts).where(and(eq(contacts.organizationId, orgId), sql`${contacts.email} not like '%@erased.invalid'`));
  return rows.length;
}
