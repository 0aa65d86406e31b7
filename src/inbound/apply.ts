/**
 * The "apply" step of the inbound pipeline: one round of decisions written in the caller's transaction,
 * with a statement per table instead of a dozen per message (on a busy mailbox the driver's per-statement
 * cost, not the work, limits throughput). The message rows go in first with ON CONFLICT DO NOTHING: their
 * unique Message-ID is what makes a second copy of the same mail (re-delivery, a Cc to two support
 * mailboxes, a crash before the source was told) a no-op.
 */
import type { InboundDecision, NewCasePlan, ThreadPlan } from "../cases/inbound-decision.js";
import { acknowledgmentMessage, planCaseOpening } from "../cases/opening.js";
import { messageIdentity, messageRecord, rejectionRecord, type InboundSource, type RejectionRecord } from "../cases/records.js";
import { refusalMessage } from "../cases/refusal.js";
import { applyThreadEntry } from "../correspondence/thread-entry.js";
import type { Desk } from "../desk.js";
import { AppError } from "../errors.js";
import type { NormalizedMessage } from "../mail/message.js";
import { enqueueMany, markBounced, type NewOutgoing } from "../outbox/queue.js";
import { requirePolicy } from "../policy/catalogue.js";
import type { Db } from "../store/database.js";
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
import { insertAttachments } from "../store/repos/messages.js";
import type { BatchFacts } from "./load.js";

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
  const outgoing: NewOutgoing[] = [...opened.acknowledgments];
  const rejections: RejectionRecord[] = [];
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
        rejections.push(rejectionRecord(msg, src, "refused", d.reason, d.detail, now));
        const reply = d.reply ? refusalMessage(desk, msg, d, src.mailbox.defaultPolicy) : null;
        if (reply) outgoing.push(reply);
        results[s.index] = { outcome: "refuse" };
        break;
      }
      case "ignore":
        rejections.push(rejectionRecord(msg, src, "ignored", d.kind ?? "ignored", d.reason, now));
        results[s.index] = { outcome: "ignore" };
        break;
      case "quarantine":
        rejections.push(rejectionRecord(msg, src, "quarantined", "unverified-sender", d.reason, now));
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
  // One at a time, in order: a staff command and the customer reply after it act on the case as it is then.
  for (const j of joining) await applyThreadEntry(tx, { desk, decision: j.decision, msg: j.msg, messageRowId: j.rowId, now });
  return results;
}

interface OpenedCases {
  /** Round index → case number. */
  numbers: Map<number, number>;
  acknowledgments: NewOutgoing[];
}

/** The round's new cases: numbers drawn from the case sequence first, so every row is known before it is written. */
async function openCases(tx: Db, desk: Desk, facts: BatchFacts, stored: Stored[], now: number): Promise<OpenedCases> {
  const opening = stored.filter((s): s is Stored & { decision: InboundDecision & NewCasePlan } => s.decision.outcome === "new-case");
  if (opening.length === 0) return { numbers: new Map(), acknowledgments: [] };
  const plans = opening.map((s) => {
    const found = facts.contacts.get(s.decision.requester.email);
    if (!found || found.org.name !== s.decision.organization.name) {
      throw new AppError("E_DIRECTORY", `organization "${s.decision.organization.name}" or contact ${s.decision.requester.email} vanished`);
    }
    const policy = requirePolicy(desk.policies, s.decision.policyId, `organization "${s.decision.organization.name}"`);
    return { s, policy, ...found, opening: planCaseOpening(policy, s.decision, s.msg, found.org, found.contact, now) };
  });
  const ccOrgs = [...new Set(plans.filter((p) => p.s.decision.acknowledge && p.policy.ackCcDtcs).map((p) => p.org.id))];
  const [numbers, dtcs] = await Promise.all([nextCaseNumbers(tx, opening.length), activeDtcsOf(tx, ccOrgs)]);
  const created = await insertCases(tx, plans.map((p, i) => ({ ...p.opening.values, number: numbers[i]! })));
  const byNumber = new Map(created.map((c) => [c.number, c]));
  const at = new Date(now);
  const result: OpenedCases = { numbers: new Map(), acknowledgments: [] };
  const events: Parameters<typeof insertCaseEvents>[1] = [];
  const links: Array<{ messageRowId: number; caseId: number }> = [];
  plans.forEach((p, i) => {
    const caseRow = byNumber.get(numbers[i]!)!;
    result.numbers.set(p.s.index, caseRow.number);
    links.push({ messageRowId: p.s.rowId, caseId: caseRow.id });
    for (const e of p.opening.events) events.push({ ...e, caseId: caseRow.id, at });
    if (!p.s.decision.acknowledge) return;
    const cc = p.policy.ackCcDtcs ? dtcs.filter((c) => c.organizationId === p.org.id && c.id !== p.contact.id).map((c) => c.email) : [];
    result.acknowledgments.push(
      acknowledgmentMessage({ desk, policy: p.policy, plan: p.s.decision, msg: p.s.msg, org: p.org, requester: p.contact, caseRow, initialResponse: p.opening.initialResponse, cc }),
    );
  });
  await Promise.all([insertCaseEvents(tx, events), linkMessagesToCases(tx, links)]);
  return result;
}
