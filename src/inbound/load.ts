/**
 * The "load" step of the inbound pipeline: everything decideInbound needs about one message, read
 * from the database inside the transaction that will apply the decision.
 */
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import type { InboundConfig, InboundContext, OrganizationInfo } from "../cases/inbound.js";
import type { NormalizedMessage } from "../mail/message.js";
import { threadLookupKeys, type TokenCase } from "../mail/threading.js";
import type { Policy } from "../policy/types.js";
import type { CaseStatus } from "../sla/types.js";
import type { Db } from "../store/database.js";
import { findOrganizationByDomain } from "../store/repos/organizations.js";
import { getStaffByEmail } from "../store/repos/staff.js";
import { cases, contacts, messages, organizations, outbox } from "../store/schema/index.js";

export interface MailboxInfo {
  name: string;
  address: string;
  defaultPolicy: string;
}

type OrgRow = typeof organizations.$inferSelect;

export function organizationInfo(o: OrgRow): OrganizationInfo {
  return { name: o.name, policyId: o.policyId, entitlements: o.entitlements, domains: o.domains, timeZone: o.timeZone };
}

/** Automatic replies (acknowledgments, refusals) queued to each address in the hour before `now`. */
export function autoRepliesTo(db: Db, addresses: string[], now: number): Promise<Array<{ address: string; n: number }>> {
  return db
    .select({ address: sql<string>`t.address`, n: sql<number>`count(*)::int` })
    .from(sql`${outbox}, unnest(${outbox.to}) as t(address)`)
    .where(
      and(
        inArray(outbox.kind, ["acknowledgment", "refusal"]),
        gte(outbox.createdAt, new Date(now - 3_600_000)),
        sql`t.address = any(${sql.param(addresses)}::text[])`,
      ),
    )
    .groupBy(sql`t.address`);
}

async function autoRepliesSince(db: Db, address: string, now: number): Promise<number> {
  const [row] = await autoRepliesTo(db, [address], now);
  return row?.n ?? 0;
}

async function loadSender(db: Db, address: string): Promise<InboundContext["sender"]> {
  const domain = address.split("@")[1] ?? "";
  // Independent look-ups, sent together: postgres.js pipelines them on the transaction's connection.
  const [[contactRow], staffRow, domainOrg] = await Promise.all([
    address
      ? db.select().from(contacts).innerJoin(organizations, eq(contacts.organizationId, organizations.id)).where(eq(contacts.email, address))
      : Promise.resolve([]),
    address ? getStaffByEmail(db, address) : Promise.resolve(undefined),
    domain ? findOrganizationByDomain(db, domain) : Promise.resolve(undefined),
  ]);
  return {
    contact: contactRow
      ? {
          email: contactRow.contacts.email,
          name: contactRow.contacts.name,
          dtc: contactRow.contacts.dtc,
          active: contactRow.contacts.active,
          organization: organizationInfo(contactRow.organizations),
        }
      : null,
    staff: staffRow?.active ? { email: staffRow.email, name: staffRow.name, role: staffRow.role } : null,
    domainOrganization: domainOrg ? { name: domainOrg.name } : null,
  };
}

async function loadTokenCase(db: Db, number: number): Promise<TokenCase | null> {
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

async function loadThread(db: Db, msg: NormalizedMessage, tokenFormat: string): Promise<InboundContext["thread"]> {
  const keys = threadLookupKeys(msg, tokenFormat);
  const byMessageId = new Map<string, number>();
  const caseInfo = new Map<number, { status: CaseStatus; organization: string }>();
  const ids = [...new Set([...keys.messageIds, ...msg.reportedMessageIds])];
  if (ids.length) {
    const rows = await db
      .select({ messageId: messages.messageId, number: cases.number })
      .from(messages)
      .innerJoin(cases, eq(messages.caseId, cases.id))
      .where(inArray(messages.messageId, ids));
    const sent = await db
      .select({ messageId: outbox.messageId, number: cases.number })
      .from(outbox)
      .innerJoin(cases, eq(outbox.caseId, cases.id))
      .where(inArray(outbox.messageId, ids));
    for (const r of [...rows, ...sent]) if (r.messageId) byMessageId.set(r.messageId, r.number);
  }
  const tokenCase = keys.caseToken !== null ? await loadTokenCase(db, keys.caseToken) : null;
  const numbers = [...new Set([...byMessageId.values(), ...(tokenCase ? [tokenCase.number] : [])])];
  if (numbers.length) {
    const rows = await db
      .select({ number: cases.number, status: cases.status, organization: organizations.name })
      .from(cases)
      .innerJoin(organizations, eq(cases.organizationId, organizations.id))
      .where(inArray(cases.number, numbers));
    for (const r of rows) caseInfo.set(r.number, { status: r.status, organization: r.organization });
  }
  return { byMessageId, tokenCase, cases: caseInfo };
}

export async function loadInboundContext(
  db: Db,
  msg: NormalizedMessage,
  mailbox: MailboxInfo,
  policies: ReadonlyMap<string, Policy>,
  config: InboundConfig,
  now: number,
): Promise<InboundContext> {
  const address = msg.from?.address.trim().toLowerCase() ?? "";
  const [sender, thread, autoReplyCount] = await Promise.all([
    loadSender(db, address),
    loadThread(db, msg, config.caseTokenFormat),
    address ? autoRepliesSince(db, address, now) : Promise.resolve(0),
  ]);
  return { mailbox, policies, sender, thread, autoReplyCount, config };
}
