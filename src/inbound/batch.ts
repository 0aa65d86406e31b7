/**
 * Many inbound messages in ONE transaction, with a statement per table instead of a dozen per message:
 * on a busy mailbox the database driver's per-statement cost, not the work, is what limits throughput.
 *
 * The batch path takes the common, self-contained outcomes (a new case, a refusal, an ignored or
 * quarantined message). A message that joins a case (a reply, staff correspondence, a bounce of one of
 * our mails), names a case token, or answers another message of the same batch is handed back
 * "deferred": the caller applies it afterwards, in order, through the single-message path, which has
 * all the correspondence logic. Deciding against an empty thread is therefore exact for every message
 * kept here: its thread look-up found nothing.
 *
 * Exactly-once is the single path's: the message rows go in first with ON CONFLICT DO NOTHING, and a
 * message whose row was not inserted (a concurrent copy) is a duplicate with no other effect.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { InboundConfig, InboundContext, InboundDecision, NewCasePlan } from "../cases/inbound.js";
import { decideInbound } from "../cases/decide.js";
import { AppError } from "../errors.js";
import type { NormalizedMessage } from "../mail/message.js";
import { threadLookupKeys } from "../mail/threading.js";
import { enqueueMany, markBounced, type NewOutgoing } from "../outbox/queue.js";
import { bulkInsert } from "../store/bulk.js";
import { executeRows, type Db } from "../store/database.js";
import type { NewRejection } from "../store/repos/mailboxes.js";
import { insertAttachments } from "../store/repos/messages.js";
import {
  caseEvents,
  cases,
  contacts,
  inboundRejections,
  messages,
  organizations,
  outbox,
  staff,
} from "../store/schema/index.js";
import type { Desk } from "../desk.js";
import { messageIdentity, messageRow, refusalMessage, rejectionRow, type AppliedOutcome, type InboundSource } from "./apply.js";
import { autoRepliesTo, organizationInfo, type MailboxInfo } from "./load.js";
import { acknowledgmentMessage, planCaseOpening, policyFor } from "./open-case.js";

export interface BatchItem {
  msg: NormalizedMessage;
  src: InboundSource;
}

export type BatchResult =
  | { deferred: false; applied: AppliedOutcome; decision: InboundDecision | null }
  | { deferred: true };

type OrgRow = typeof organizations.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;

/** What the batch needs from the database, loaded with one statement per kind, sent together. */
interface BatchLookups {
  stored: Set<string>;
  contacts: Map<string, { contact: ContactRow; org: OrgRow }>;
  staff: Map<string, { email: string; name: string; role: string }>;
  /** Domain → the organization that lists it (lowest id first, as findOrganizationByDomain). */
  domains: Map<string, OrgRow>;
  /** Message-IDs that name a stored message or queued mail of some case. */
  threaded: Set<string>;
  autoReplies: Map<string, number>;
}

const senderOf = (msg: NormalizedMessage) => msg.from?.address.trim().toLowerCase() ?? "";
const domainOf = (address: string) => address.split("@")[1] ?? "";

async function loadLookups(tx: Db, items: BatchItem[], config: InboundConfig, now: number): Promise<BatchLookups> {
  const identities = items.map((i) => messageIdentity(i.msg));
  const senders = [...new Set(items.map((i) => senderOf(i.msg)).filter(Boolean))];
  const domains = [...new Set(senders.map(domainOf).filter(Boolean))];
  const refs = [...new Set(items.flatMap((i) => [...threadLookupKeys(i.msg, config.caseTokenFormat).messageIds, ...i.msg.reportedMessageIds]))];
  const none = Promise.resolve([]);
  // Independent look-ups, sent together: postgres.js pipelines them on the transaction's connection.
  const [storedRows, contactRows, staffRows, domainRows, threadedMessages, threadedMail, replyRows] = await Promise.all([
    tx.select({ messageId: messages.messageId }).from(messages).where(inArray(messages.messageId, identities)),
    senders.length
      ? tx.select({ contact: contacts, org: organizations }).from(contacts).innerJoin(organizations, eq(contacts.organizationId, organizations.id)).where(inArray(contacts.email, senders))
      : none,
    senders.length ? tx.select().from(staff).where(inArray(staff.email, senders)) : none,
    domains.length
      ? tx.select().from(organizations).where(sql`${organizations.domains} && ${sql.param(domains)}::text[]`).orderBy(asc(organizations.id))
      : none,
    refs.length
      ? tx.select({ messageId: messages.messageId }).from(messages).innerJoin(cases, eq(messages.caseId, cases.id)).where(inArray(messages.messageId, refs))
      : none,
    refs.length ? tx.select({ messageId: outbox.messageId }).from(outbox).where(and(inArray(outbox.messageId, refs), sql`${outbox.caseId} is not null`)) : none,
    senders.length ? autoRepliesTo(tx, senders, now) : Promise.resolve([] as Array<{ address: string; n: number }>),
  ]);
  const domainMap = new Map<string, OrgRow>();
  for (const org of domainRows) for (const d of org.domains) if (!domainMap.has(d)) domainMap.set(d, org);
  return {
    stored: new Set(storedRows.map((r) => r.messageId!)),
    contacts: new Map(contactRows.map((r) => [r.contact.email, r])),
    staff: new Map(staffRows.filter((s) => s.active).map((s) => [s.email, { email: s.email, name: s.name, role: s.role }])),
    domains: domainMap,
    threaded: new Set([...threadedMessages, ...threadedMail].map((r) => r.messageId!)),
    autoReplies: new Map(replyRows.map((r) => [r.address, r.n])),
  };
}

function contextFor(msg: NormalizedMessage, mailbox: MailboxInfo, desk: Desk, config: InboundConfig, lookups: BatchLookups, queued: Map<string, number>): InboundContext {
  const address = senderOf(msg);
  const found = lookups.contacts.get(address);
  const domainOrg = lookups.domains.get(domainOf(address));
  return {
    mailbox,
    policies: desk.policies,
    sender: {
      contact: found
        ? { email: found.contact.email, name: found.contact.name, dtc: found.contact.dtc, active: found.contact.active, organization: organizationInfo(found.org) }
        : null,
      staff: lookups.staff.get(address) ?? null,
      domainOrganization: domainOrg ? { name: domainOrg.name } : null,
    },
    thread: { byMessageId: new Map(), tokenCase: null, cases: new Map() },
    autoReplyCount: (lookups.autoReplies.get(address) ?? 0) + (queued.get(address) ?? 0),
    config,
  };
}

interface Planned {
  index: number;
  item: BatchItem;
  decision: InboundDecision;
}

/**
 * Decides every message of the batch in order, in memory: duplicates (stored, or repeated within the
 * batch), deferrals, and the plans this path applies. Automatic replies decided earlier in the batch
 * count against the per-sender cap of the later ones.
 */
function decideBatch(items: BatchItem[], mailbox: MailboxInfo, desk: Desk, config: InboundConfig, lookups: BatchLookups, now: number) {
  const results: Array<BatchResult | null> = items.map(() => null);
  const planned: Planned[] = [];
  const seen = new Set<string>();
  const batchIds = new Set(items.map((i) => messageIdentity(i.msg)));
  const queued = new Map<string, number>();
  items.forEach((item, index) => {
    const { msg } = item;
    const identity = messageIdentity(msg);
    if (lookups.stored.has(identity) || seen.has(identity)) {
      results[index] = { deferred: false, applied: { outcome: "duplicate" }, decision: null };
      return;
    }
    seen.add(identity);
    const keys = threadLookupKeys(msg, config.caseTokenFormat);
    const refs = [...keys.messageIds, ...msg.reportedMessageIds];
    if (keys.caseToken !== null || refs.some((id) => lookups.threaded.has(id) || batchIds.has(id))) {
      results[index] = { deferred: true };
      return;
    }
    const decision = decideInbound(msg, contextFor(msg, mailbox, desk, config, lookups, queued), now);
    if (decision.outcome === "thread") {
      results[index] = { deferred: true };
      return;
    }
    const repliedTo = decision.outcome === "new-case" && decision.acknowledge ? decision.requester.email : decision.outcome === "refuse" && decision.reply ? decision.sender : null;
    if (repliedTo) queued.set(repliedTo, (queued.get(repliedTo) ?? 0) + 1);
    planned.push({ index, item, decision });
  });
  return { results, planned };
}

/** Applies what the batch path takes, in the caller's transaction; the rest comes back deferred. */
export async function applyBatch(tx: Db, desk: Desk, mailbox: MailboxInfo, config: InboundConfig, items: BatchItem[], now: number): Promise<BatchResult[]> {
  const lookups = await loadLookups(tx, items, config, now);
  const { results, planned } = decideBatch(items, mailbox, desk, config, lookups, now);
  const inserted = await bulkInsert<typeof messages, { id: number; messageId: string }>(
    tx,
    messages,
    planned.map((p) => messageRow(p.item.msg, p.item.src, now)),
    { onConflictDoNothing: true, returning: ["id", "messageId"] },
  );
  const rowIds = new Map(inserted.map((r) => [r.messageId!, r.id]));
  const kept: Array<Planned & { rowId: number }> = [];
  for (const p of planned) {
    const rowId = rowIds.get(messageIdentity(p.item.msg));
    // Not inserted: another transaction stored the same message meanwhile.
    if (rowId === undefined) results[p.index] = { deferred: false, applied: { outcome: "duplicate" }, decision: null };
    else kept.push({ ...p, rowId });
  }
  const opened = await openCases(tx, desk, lookups, kept, now);
  const outgoing: NewOutgoing[] = [...opened.acknowledgments];
  const rejections: NewRejection[] = [];
  const bounces: Array<{ ids: string[]; subject: string }> = [];
  for (const p of kept) {
    const { msg, src } = p.item;
    const d = p.decision;
    switch (d.outcome) {
      case "new-case":
        results[p.index] = { deferred: false, applied: { outcome: "new-case", caseNumber: opened.numbers.get(p.index)! }, decision: d };
        break;
      case "refuse": {
        rejections.push(rejectionRow(msg, src, "refused", d.reason, d.detail, now));
        const reply = d.reply ? refusalMessage(desk, msg, d) : null;
        if (reply) outgoing.push(reply);
        results[p.index] = { deferred: false, applied: { outcome: "refuse" }, decision: d };
        break;
      }
      case "ignore":
        if (d.bounceOf?.length) bounces.push({ ids: d.bounceOf, subject: msg.subject });
        rejections.push(rejectionRow(msg, src, "ignored", d.kind ?? "ignored", d.reason, now));
        results[p.index] = { deferred: false, applied: { outcome: "ignore" }, decision: d };
        break;
      case "quarantine":
        rejections.push(rejectionRow(msg, src, "quarantined", "unverified-sender", d.reason, now));
        results[p.index] = { deferred: false, applied: { outcome: "quarantine", quarantine: d.reason }, decision: d };
        break;
      case "thread":
        throw new AppError("E_INTERNAL", "a thread decision reached the batch path");
    }
  }
  const attachmentRows = kept.flatMap((p) =>
    p.item.msg.attachments.map((a) => ({ messageId: p.rowId, filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, content: a.content })),
  );
  // The remaining writes depend on nothing but the rows above: one round trip for all of them, then
  // the attachments (a COPY cannot share the connection with queries in flight).
  await Promise.all([
    outgoing.length ? enqueueMany(tx, outgoing, now) : null,
    bulkInsert(tx, inboundRejections, rejections),
    ...bounces.map((b) => markBounced(tx, b.ids, `bounce: ${b.subject}`)),
  ]);
  await insertAttachments(tx, attachmentRows);
  return results.map((r) => r ?? { deferred: true });
}

interface OpenedCases {
  /** Batch index → case number. */
  numbers: Map<number, number>;
  acknowledgments: NewOutgoing[];
}

/** The new cases of the batch: numbers drawn from the case sequence first, so every row is known before it is written. */
async function openCases(tx: Db, desk: Desk, lookups: BatchLookups, kept: Array<Planned & { rowId: number }>, now: number): Promise<OpenedCases> {
  const opening = kept.filter((p): p is Planned & { rowId: number; decision: InboundDecision & NewCasePlan } => p.decision.outcome === "new-case");
  if (opening.length === 0) return { numbers: new Map(), acknowledgments: [] };
  const sources = opening.map((p) => {
    const found = lookups.contacts.get(p.decision.requester.email);
    if (!found || found.org.name !== p.decision.organization.name) {
      throw new AppError("E_DIRECTORY", `organization "${p.decision.organization.name}" or contact ${p.decision.requester.email} vanished`);
    }
    const policy = policyFor(desk, p.decision);
    return { p, policy, ...found, opening: planCaseOpening(policy, p.decision, p.item.msg, found.org, found.contact, now) };
  });
  const ccOrgs = [...new Set(sources.filter((s) => s.p.decision.acknowledge && s.policy.ackCcDtcs).map((s) => s.org.id))];
  const [numberRows, dtcRows] = await Promise.all([
    executeRows<{ n: number }>(tx, sql`select nextval(pg_get_serial_sequence('cases', 'number'))::int as n from generate_series(1, ${opening.length})`),
    ccOrgs.length
      ? tx
          .select({ organizationId: contacts.organizationId, id: contacts.id, email: contacts.email })
          .from(contacts)
          .where(and(inArray(contacts.organizationId, ccOrgs), eq(contacts.dtc, true), eq(contacts.active, true)))
          .orderBy(asc(contacts.email))
      : Promise.resolve([]),
  ]);
  const numbers = numberRows.map((r) => Number(r.n));
  const created = await bulkInsert<typeof cases, { id: number; number: number; subject: string }>(
    tx,
    cases,
    sources.map((s, i) => ({ ...s.opening.values, number: numbers[i]! })),
    { returning: ["id", "number", "subject"] },
  );
  const byNumber = new Map(created.map((c) => [c.number, c]));
  const at = new Date(now);
  const result: OpenedCases = { numbers: new Map(), acknowledgments: [] };
  const events: Array<typeof caseEvents.$inferInsert> = [];
  const links: Array<{ messageRowId: number; caseId: number }> = [];
  sources.forEach((s, i) => {
    const caseRow = byNumber.get(numbers[i]!)!;
    result.numbers.set(s.p.index, caseRow.number);
    links.push({ messageRowId: s.p.rowId, caseId: caseRow.id });
    for (const e of s.opening.events) events.push({ ...e, caseId: caseRow.id, at });
    if (!s.p.decision.acknowledge) return;
    const cc = s.policy.ackCcDtcs ? dtcRows.filter((c) => c.organizationId === s.org.id && c.id !== s.contact.id).map((c) => c.email) : [];
    result.acknowledgments.push(
      acknowledgmentMessage({ desk, policy: s.policy, plan: s.p.decision, msg: s.p.item.msg, org: s.org, requester: s.contact, caseRow, firstResponse: s.opening.firstResponse, cc }),
    );
  });
  await Promise.all([
    bulkInsert(tx, caseEvents, events),
    tx.execute(sql`
      update ${messages} set case_id = l.case_id
      from unnest(${sql.param(links.map((l) => l.messageRowId))}::int[], ${sql.param(links.map((l) => l.caseId))}::int[]) as l(id, case_id)
      where ${messages.id} = l.id`),
  ]);
  return result;
}
