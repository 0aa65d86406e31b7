/**
 * The "apply" step of the inbound pipeline: one round of decisions written in the caller's transaction,
 * with a statement per table instead of a dozen per message (on a busy mailbox the driver's per-statement
 * cost, not the work, limits throughput). The message rows go in first with ON CONFLICT DO NOTHING: their
 * unique Message-ID is what makes a second copy of the same mail (re-delivery, a Cc to two support
 * mailboxes, a crash before the source was told) a no-op.
 */
import type { InboundDecision, NewCasePlan, ThreadPlan } from "../cases/inbound-decision.js";
import { acknowledgmentMessage, planCaseOpening } from "../cases/opening.js";
import { recordDecisions } from "../digest/record.js";
import { newCaseNotice, newCaseRecipients } from "../cases/new-case-notice.js";
import { messageIdentity, messageRecord, receiptInstant, rejectionRecord, type InboundSource, type RejectionRecord } from "../cases/records.js";
import { refusalMessage } from "../cases/refusal.js";
import { applyThreadEntry } from "../correspondence/thread-entry.js";
import type { Desk } from "../desk.js";
import { AppError } from "../errors.js";
import type { NormalizedMessage } from "../mail/message.js";
import { enqueueMany, markBounced, queuedMessageId, type NewOutgoing } from "../outbox/queue.js";
import { installationId } from "../store/repos/installation.js";
import { requirePolicy } from "../policy/catalogue.js";
import type { Db } from "../store/database.js";
import type { Organization } from "../store/repos/organizations.js";
import type { Staff } from "../store/repos/staff.js";
import type { Policy } from "../policy/types.js";
import {
  activeDtcsOf,
  insertCaseEvents,
  insertCases,
  insertInboundMessages,
  insertRejections,
  linkMessagesToCases,
  nextCaseNumbers,
  suppressRecipientsOf,
} from "../store/repos/inbound.js";
import { insertDeferredAcknowledgments } from "../store/repos/deferred-acks.js";
import { insertAttachments } from "../store/repos/messages.js";
import { insertPastBreaches, type NewPastBreach } from "../store/repos/past-breaches.js";
import { listStaff } from "../store/repos/staff.js";
import { chargeableNotice, emergencyNotice } from "../cases/entitlement-notices.js";
import type { BatchFacts } from "./load.js";
import { recordQuarantine } from "./quarantine.js";

export type AppliedOutcome =
  | { outcome: "duplicate" }
  | { outcome: InboundDecision["outcome"]; caseNumber?: number; quarantine?: string };

export interface RoundItem {
  msg: NormalizedMessage;
  src: InboundSource;
  decision: InboundDecision;
}

interface Stored extends RoundItem {
  index: number;
  rowId: number;
}

/** Applies `items` (decided in one round); returns each one's outcome, in order. */
export async function applyRound(tx: Db, desk: Desk, facts: BatchFacts, items: RoundItem[], now: number): Promise<AppliedOutcome[]> {
  const rowIds = await insertInboundMessages(tx, items.map((i) => messageRecord(i.msg, i.src, now)));
  const results: AppliedOutcome[] = items.map(() => ({ outcome: "duplicate" }));
  // Not inserted: another transaction stored the same message meanwhile.
  const stored: Stored[] = items.flatMap((item, index) => {
    const rowId = rowIds.get(messageIdentity(item.msg));
    return rowId === undefined ? [] : [{ ...item, index, rowId }];
  });
  // Before anything reads them: a forward to the engineers carries the customer's attachments.
  await insertAttachments(
    tx,
    stored.flatMap((s) => s.msg.attachments.map((a) => ({ messageId: s.rowId, filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, content: a.content }))),
  );
  const opened = await openCases(tx, desk, facts, stored, now);
  const outgoing: NewOutgoing[] = [...opened.mail];
  const rejections: Array<RejectionRecord & { replyKey?: string | null; replyWithheld?: string | null }> = [];
  const quarantined: Array<RejectionRecord & { raw?: Uint8Array }> = [];
  const bounces: Array<{ ids: string[]; subject: string }> = [];
  const complaints: Array<{ ids: string[]; messageId: string | null }> = [];
  const joining: Array<Stored & { decision: InboundDecision & ThreadPlan }> = [];
  for (const s of stored) {
    const { msg, src, decision: d } = s;
    if ((d.outcome === "thread" || d.outcome === "ignore") && d.bounceOf?.length) bounces.push({ ids: d.bounceOf, subject: msg.subject });
    if ((d.outcome === "thread" || d.outcome === "ignore") && d.complaintAbout?.length) complaints.push({ ids: d.complaintAbout, messageId: msg.messageId });
    switch (d.outcome) {
      case "new-case":
        results[s.index] = { outcome: "new-case", caseNumber: opened.numbers.get(s.index)! };
        break;
      case "thread":
        joining.push({ ...s, decision: d });
        results[s.index] = { outcome: "thread", caseNumber: d.caseNumber };
        break;
      case "refuse": {
        const reply = d.reply ? refusalMessage(desk, msg, d, src.mailbox.defaultPolicy) : null;
        // The record says what was queued: the reply's key, or why none was (never a reply that was not).
        rejections.push({ ...rejectionRecord(msg, src, "refused", d.reason, d.detail, now), replyKey: reply?.idempotencyKey ?? null, replyWithheld: d.replyWithheld ?? null });
        if (reply) outgoing.push(reply);
        results[s.index] = { outcome: "refuse" };
        break;
      }
      case "ignore":
        rejections.push(rejectionRecord(msg, src, "ignored", d.kind ?? "ignored", d.reason, now));
        results[s.index] = { outcome: "ignore" };
        break;
      case "quarantine":
        quarantined.push({ ...rejectionRecord(msg, src, "quarantined", "unverified-sender", d.reason, now), ...(src.raw ? { raw: src.raw } : {}) });
        results[s.index] = { outcome: "quarantine", quarantine: d.reason };
        break;
    }
  }
  // Independent of each other: one round trip for all of them.
  await Promise.all([
    outgoing.length ? enqueueMany(tx, outgoing, now) : null,
    insertRejections(tx, rejections),
    ...bounces.map((b) => markBounced(tx, b.ids, `bounce: ${b.subject}`)),
    ...complaints.map((c) => suppressRecipientsOf(tx, c.ids, { reason: "feedback report (complaint) about our mail", messageId: c.messageId, at: new Date(now) })),
  ]);
  // Each with its bytes (no bulk insert for bytea) and its notice to the managers: rare, one by one.
  for (const q of quarantined) await recordQuarantine(tx, desk, q, now);
  // One at a time, in order: a staff command and the customer reply after it act on the case as it is then.
  for (const j of joining) await applyThreadEntry(tx, { desk, decision: j.decision, msg: j.msg, messageRowId: j.rowId, now, received: receiptInstant(j.src, now) });
  return results;
}

interface OpenedCases {
  /** Round index → case number. */
  numbers: Map<number, number>;
  /** Acknowledgments and the engineers' new-case mail. */
  mail: NewOutgoing[];
}

/** The round's new cases: numbers drawn from the case sequence first, so every row is known before it is written. */
async function openCases(tx: Db, desk: Desk, facts: BatchFacts, stored: Stored[], now: number): Promise<OpenedCases> {
  const opening = stored.filter((s): s is Stored & { decision: InboundDecision & NewCasePlan } => s.decision.outcome === "new-case");
  if (opening.length === 0) return { numbers: new Map(), mail: [] };
  const plans = opening.map((s) => {
    const found = facts.contacts.get(s.decision.requester.email);
    if (!found || found.org.name !== s.decision.organization.name) {
      throw new AppError("E_DIRECTORY", `organization "${s.decision.organization.name}" or contact ${s.decision.requester.email} vanished`);
    }
    const policy = requirePolicy(desk.policies, s.decision.policyId, `organization "${s.decision.organization.name}"`);
    return { s, policy, ...found, opening: planCaseOpening(policy, s.decision, s.msg, found.org, found.contact, { received: receiptInstant(s.src, now), now }) };
  });
  const ccOrgs = [...new Set(plans.filter((p) => p.s.decision.acknowledge && p.policy.ackCcDtcs).map((p) => p.org.id))];
  const [numbers, dtcs, staff, installation] = await Promise.all([nextCaseNumbers(tx, opening.length), activeDtcsOf(tx, ccOrgs), listStaff(tx, { activeOnly: true }), installationId(tx)]);
  const created = await insertCases(tx, plans.map((p, i) => ({ ...p.opening.values, number: numbers[i]! })));
  const byNumber = new Map(created.map((c) => [c.number, c]));
  // A mail read late can open a case with a metric already missed: the digest's rollup records it now.
  const evaluated = plans.map((p, i) => ({ caseId: byNumber.get(numbers[i]!)!.id, policyId: p.opening.values.policyId, severity: p.opening.values.severity, metrics: p.opening.values.slaState.metrics }));
  await recordDecisions(tx, evaluated, now, { newCases: true });
  const at = new Date(now);
  const result: OpenedCases = { numbers: new Map(), mail: [] };
  const events: Parameters<typeof insertCaseEvents>[1] = [];
  const links: Array<{ messageRowId: number; caseId: number }> = [];
  const pastBreaches: NewPastBreach[] = [];
  const deferred: Parameters<typeof insertDeferredAcknowledgments>[1] = [];
  plans.forEach((p, i) => {
    const caseRow = byNumber.get(numbers[i]!)!;
    result.numbers.set(p.s.index, caseRow.number);
    links.push({ messageRowId: p.s.rowId, caseId: caseRow.id });
    for (const e of p.opening.events) events.push({ ...e, caseId: caseRow.id });
    for (const b of p.opening.pastBreaches) {
      pastBreaches.push({ caseId: caseRow.id, mailbox: p.s.src.mailbox.name, reminderKey: b.key, metric: b.metric, dueAt: new Date(b.at), notify: b.notify, foundAt: new Date(now) });
    }
    const withheld = p.s.decision.acknowledgmentWithheld;
    if (withheld?.later) deferred.push({ caseId: caseRow.id, address: p.contact.email, reason: withheld.reason, deferredAt: at });
    if (p.s.decision.acknowledge) {
      const cc = p.policy.ackCcDtcs ? dtcs.filter((c) => c.organizationId === p.org.id && c.id !== p.contact.id).map((c) => c.email) : [];
      result.mail.push(
        acknowledgmentMessage({ desk, policy: p.policy, plan: p.s.decision, msg: p.s.msg, org: p.org, requester: p.contact, caseRow, initialResponse: p.opening.initialResponse, cc }),
      );
    }
    // The engineers hear of every new case, even one whose acknowledgment the per-sender cap held back.
    const notice = engineersNotice(desk, p, caseRow, staff, installation);
    if (notice) result.mail.push(notice.mail);
    events.push({ kind: notice ? "engineers-notified" : "engineers-not-notified", actor: "system", caseId: caseRow.id, at, data: notice?.event ?? { reason: "no active engineer, no notifications.newCase address and no organization engineer" } });
  });
  await Promise.all([insertCaseEvents(tx, events), linkMessagesToCases(tx, links), insertPastBreaches(tx, pastBreaches), insertDeferredAcknowledgments(tx, deferred)]);
  result.mail.push(...(await entitlementNotices(tx, desk, plans.map((p, i) => ({ plan: p.s.decision, caseRow: byNumber.get(numbers[i]!)! })))));
  return result;
}

type OpeningPlan = { s: Stored & { decision: InboundDecision & NewCasePlan }; policy: Policy; org: Organization; opening: ReturnType<typeof planCaseOpening> };

/** The new-case mail to the engineers and what the case history records of it: the addresses it was queued to, and why those. */
function engineersNotice(desk: Desk, p: OpeningPlan, caseRow: { id: number; number: number; subject: string }, staff: Staff[], installation: string) {
  const recipients = newCaseRecipients(p.org.engineerId, desk.newCaseRecipients ?? [], staff);
  if (recipients.to.length === 0) return null;
  const mail = newCaseNotice({
    desk,
    policy: p.policy,
    plan: p.s.decision,
    msg: p.s.msg,
    organization: p.org.name,
    caseRow,
    initialResponse: p.opening.initialResponse,
    recipients,
  });
  // The history names the Message-ID the row is stored and sent with (queuing mixes in the installation id).
  return { mail, event: { to: mail.to, rule: recipients.rule, messageId: queuedMessageId(mail, installation) } };
}

/** A chargeable case (account contact and managers) and an emergency request (managers), told once per case. */
async function entitlementNotices(tx: Db, desk: Desk, opened: Array<{ plan: NewCasePlan; caseRow: { id: number; number: number; subject: string } }>): Promise<NewOutgoing[]> {
  const telling = opened.filter((o) => o.plan.quota?.chargeable || o.plan.emergency);
  if (telling.length === 0) return [];
  const managers = (await listStaff(tx, { role: "manager", activeOnly: true })).map((m) => m.email);
  return telling.flatMap(({ plan, caseRow }) => {
    const ref = { ...caseRow, organization: plan.organization.name };
    return [
      plan.quota?.chargeable ? chargeableNotice(desk, ref, plan.quota, managers) : null,
      plan.emergency ? emergencyNotice(desk, ref, plan.emergency, managers) : null,
    ].filter((m): m is NewOutgoing => m !== null);
  });
}
