/**
 * The "load" step of the inbound pipeline: everything deciding a batch of messages needs, read with one
 * statement per kind inside the transaction that will apply the decisions. A single message is a batch
 * of one.
 */
import type { InboundConfig, InboundContext, OrganizationInfo } from "../cases/inbound-decision.js";
import { messageIdentity } from "../cases/records.js";
import { domainOf, normalizeAddress } from "../mail/address.js";
import type { NormalizedMessage } from "../mail/message.js";
import { threadLookupKeys, type TokenCase } from "../mail/threading.js";
import type { CaseStatus } from "../sla/types.js";
import type { Db } from "../store/database.js";
import type { Contact } from "../store/repos/contacts.js";
import {
  activeStaffByEmail,
  autoRepliesTo,
  caseNumbersByMessageId,
  caseStatuses,
  contactsByEmail,
  organizationsByDomain,
  storedMessageIds,
  suppressedAmong,
  tokenCase,
} from "../store/repos/inbound.js";
import type { Organization } from "../store/repos/organizations.js";
import { quotaCasesOf } from "../store/repos/entitlements.js";
import { countsTickets, organizationTerms, organizationZone } from "../entitlements/organization.js";
import type { QuotaCase } from "../entitlements/quota.js";
import type { Policy } from "../policy/types.js";
import { queryHourLimits, queryHoursUsage, type QueryHoursUsage } from "../entitlements/query-hours.js";
import { usagePeriodAt } from "../entitlements/usage-period.js";
import { listTimeEntries } from "../store/repos/time-entries.js";

export interface MailboxInfo {
  name: string;
  address: string;
  defaultPolicy: string;
}

/** What the database says about a batch's senders and threads, as of the load. */
export interface BatchFacts {
  /** Identities (messageIdentity) already stored. */
  stored: Set<string>;
  contacts: Map<string, { contact: Contact; org: Organization }>;
  staff: Map<string, { email: string; name: string; role: string }>;
  /** Domain → the organization that lists it. */
  domains: Map<string, Organization>;
  /** Message-ID → case number, for every Message-ID the batch answers or reports. */
  threaded: Map<string, number>;
  /** Case number → the case a subject token names (absent: no such case). */
  tokenCases: Map<number, TokenCase>;
  cases: Map<number, { status: CaseStatus; organization: string }>;
  /** Automatic replies queued to each sender in the last hour. */
  autoReplies: Map<string, number>;
  /** Senders who complained about our mail (feedback reports): no automatic mail goes to them. */
  complained: Set<string>;
  /** Organization id → its cases, for the DTCs' organizations that count tickets (Infotecs). */
  quotaCases?: Map<number, QuotaCase[]>;
  /** Organization id → query hours used in its current period, for the DTCs' organizations with limits (Konneqt). */
  queryHours?: Map<number, QueryHoursUsage[]>;
}

export function organizationInfo(o: Organization, quotaCases?: Map<number, QuotaCase[]>, queryHours?: Map<number, QueryHoursUsage[]>): OrganizationInfo {
  const hours = queryHours?.get(o.id);
  return { name: o.name, policyId: o.policyId, entitlements: o.entitlements, domains: o.domains, timeZone: o.timeZone, terms: organizationTerms(o, quotaCases?.get(o.id)), ...(hours ? { queryHours: hours } : {}) };
}

/** The Message-IDs a message answers or reports: what its thread is looked up by. */
export function threadRefsOf(msg: NormalizedMessage, config: InboundConfig): { ids: string[]; token: number | null } {
  const keys = threadLookupKeys(msg, config.caseTokenFormat);
  return { ids: [...new Set([...keys.messageIds, ...msg.reportedMessageIds])], token: keys.caseToken };
}

export async function loadBatchFacts(db: Db, msgs: NormalizedMessage[], config: InboundConfig, now: number, policies?: ReadonlyMap<string, Policy>): Promise<BatchFacts> {
  const senders = [...new Set(msgs.map((m) => normalizeAddress(m.from?.address)).filter(Boolean))];
  const domains = [...new Set(senders.map(domainOf).filter(Boolean))];
  const refs = msgs.map((m) => threadRefsOf(m, config));
  const ids = [...new Set(refs.flatMap((r) => r.ids))];
  const tokens = [...new Set(refs.map((r) => r.token).filter((t): t is number => t !== null))];
  // Independent look-ups, sent together: postgres.js pipelines them on the transaction's connection.
  const [stored, contacts, staff, byDomain, threaded, tokenRows, replies, complained] = await Promise.all([
    storedMessageIds(db, msgs.map(messageIdentity)),
    contactsByEmail(db, senders),
    activeStaffByEmail(db, senders),
    organizationsByDomain(db, domains),
    caseNumbersByMessageId(db, ids),
    Promise.all(tokens.map((t) => tokenCase(db, t))),
    autoRepliesTo(db, senders, now),
    suppressedAmong(db, senders),
  ]);
  const tokenCases = new Map(tokenRows.filter((t): t is TokenCase => t !== null).map((t) => [t.number, t]));
  const counting = [...new Set([...contacts.values()].filter((c) => c.contact.dtc && countsTickets(policies?.get(c.org.policyId), c.org.agreement)).map((c) => c.org.id))];
  const [cases, quotaCases] = await Promise.all([caseStatuses(db, [...new Set([...threaded.values(), ...tokenCases.keys()])]), quotaCasesOf(db, counting)]);
  const queryHours = await queryHoursOf(db, [...contacts.values()].filter((c) => c.contact.dtc).map((c) => c.org), policies, now);
  return { stored, contacts, staff, domains: byDomain, threaded, tokenCases, cases, autoReplies: replies, complained, quotaCases, queryHours };
}

/** One message's InboundContext, from the batch's facts; `queued`: automatic replies decided earlier in the batch. */
export function contextFor(
  msg: NormalizedMessage,
  facts: BatchFacts,
  env: { mailbox: MailboxInfo; policies: InboundContext["policies"]; config: InboundConfig },
  queued: ReadonlyMap<string, number>,
): InboundContext {
  const address = normalizeAddress(msg.from?.address);
  const found = facts.contacts.get(address);
  const domainOrg = facts.domains.get(domainOf(address));
  const { ids, token } = threadRefsOf(msg, env.config);
  const byMessageId = new Map<string, number>();
  for (const id of ids) {
    const number = facts.threaded.get(id);
    if (number !== undefined) byMessageId.set(id, number);
  }
  return {
    mailbox: env.mailbox,
    policies: env.policies,
    sender: {
      contact: found
        ? { email: found.contact.email, name: found.contact.name, dtc: found.contact.dtc, active: found.contact.active, organization: organizationInfo(found.org, facts.quotaCases, facts.queryHours) }
        : null,
      staff: facts.staff.get(address) ?? null,
      domainOrganization: domainOrg ? { name: domainOrg.name } : null,
      complained: facts.complained.has(address),
    },
    thread: { byMessageId, tokenCase: token === null ? null : (facts.tokenCases.get(token) ?? null), cases: facts.cases },
    autoReplyCount: (facts.autoReplies.get(address) ?? 0) + (queued.get(address) ?? 0),
    config: env.config,
  };
}

/** Query hours used in the current period by each organization whose policy limits them. */
async function queryHoursOf(db: Db, orgs: Organization[], policies: ReadonlyMap<string, Policy> | undefined, now: number): Promise<Map<number, QueryHoursUsage[]>> {
  const out = new Map<number, QueryHoursUsage[]>();
  for (const org of new Map(orgs.map((o) => [o.id, o])).values()) {
    const policy = policies?.get(org.policyId);
    const limits = policy ? queryHourLimits(policy, org.agreement) : [];
    if (!policy || limits.length === 0) continue;
    const period = usagePeriodAt({ contractStart: org.contractStart, createdAt: org.createdAt.getTime(), zone: organizationZone(policy, org) }, now);
    const entries = await listTimeEntries(db, [org.id], new Date(period.start), new Date(period.end));
    out.set(org.id, limits.map((l) => queryHoursUsage(l, period, entries)));
  }
  return out;
}
