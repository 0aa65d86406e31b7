/**
 * The plan for opening a case, worked out in memory (pure): the case row, its first events, its first SLA
 * state and the acknowledgment that tells the requester the case number and the first-response due time.
 * The acknowledgment's idempotency key is the case number, so a retried transaction or a re-delivered
 * message can never queue a second one.
 */
import type { Desk } from "../desk.js";
import { caseSubject, caseToken, messageIdFor, standardHeaders, threadRefs } from "../outbox/headers.js";
import type { NewOutgoing } from "../outbox/queue.js";
import { withContract } from "../policy/contract.js";
import { serviceLevelFor } from "../policy/select.js";
import type { Policy, ServiceLevel } from "../policy/types.js";
import { evaluateTrail, slaSnapshot } from "./case-sla.js";
import type { MetricStatus, ReminderOwed } from "../sla/types.js";
import type { NormalizedMessage } from "../mail/message.js";
import type { NewCasePlan } from "./inbound-decision.js";
import { formatBytes, formatDue, readerZone } from "./present.js";
import type { Agreement } from "../entitlements/agreement.js";
import { withAgreedHours } from "../entitlements/hours.js";
import { missingFieldLabel } from "./intake/missing-fields.js";
import { EXTENDED_SUPPORT_QUOTE } from "../lifecycle/intake.js";

/** What opening a case needs to know of the organization. */
export interface OpeningOrganization {
  id: number;
  entitlements: string[];
  timeZone: string | null;
  closedDates: string[];
  contract: ServiceLevel[] | null;
  agreement?: Agreement | null;
}

/** What opening a case needs to know of the requester. */
export interface OpeningRequester {
  id: number;
  email: string;
  name: string;
  timeZone: string | null;
}

/** The case row as opening writes it (the number comes from the database's sequence). */
export interface NewCaseRecord {
  organizationId: number;
  requesterId: number;
  subject: string;
  caseType: string;
  severity: string;
  severitySource: string;
  severityReason: string;
  environment: string | null;
  productVersion: string | null;
  clientApp: string | null;
  namespaces: string[];
  templateFields: Record<string, string>;
  missingFields: string[];
  policyId: string;
  openedAt: Date;
  updatedAt: Date;
  slaState: ReturnType<typeof slaSnapshot>;
  nextActionAt: Date | null;
  /** Reminders already past when the mail was read: settled at opening, never sent one by one. */
  remindersSent: string[];
}

/** What opening a case writes, worked out in memory: the case row, its first events, its initial-response due. */
export interface CaseOpening {
  values: NewCaseRecord;
  events: Array<{ kind: string; actor: string; at: Date; data: Record<string, unknown> }>;
  initialResponse: MetricStatus | null;
  /**
   * Breaches already past when the mail was read (a backlog): recorded as sent on the case, so the scheduler
   * does not alert them one by one; the managers get them in one summary mail (src/inbound/past-breaches.ts).
   */
  pastBreaches: ReminderOwed[];
}

/** When the mailbox received the message (receiptInstant) and when we read it; received ≤ read. */
export interface OpeningInstants {
  received: number;
  now: number;
}

/** A read this long after the receipt is a late read: the opening records when it happened. */
const READ_LATE_MS = 60_000;

/**
 * The trail a new case starts with, evaluated here so the case row is written once. The case opens when its
 * mailbox received the message, not when we read it. The automatic acknowledgment is not a response, but
 * Konneqt's workaround and resolution clocks run from it: it counts from the receipt too, since it answers the
 * receipt automatically and a late read is our delay, not the customer's. Reminders whose instant had already
 * passed when we read the mail are recorded as sent (no burst of stale reminders); the breaches among them are
 * returned for the managers' summary. Pure.
 */
export function planCaseOpening(policy: Policy, plan: NewCasePlan, msg: NormalizedMessage, org: OpeningOrganization, requester: OpeningRequester, at: OpeningInstants): CaseOpening {
  const { received, now } = at;
  // Receipt instants have whole seconds (Maildir names, IMAP INTERNALDATE) and a mail is read moments after it
  // lands, so only a read a minute or more after the receipt is worth a `readAt` (a backlog, a stopped worker).
  const readLate = now - received >= READ_LATE_MS ? { readAt: new Date(now).toISOString() } : {};
  const opened = {
    kind: "opened",
    actor: plan.requester.email,
    data: { caseType: plan.caseType, severity: plan.severity.id, environment: plan.environment, severitySource: plan.severity.source, severityReason: plan.severity.reason, ...readLate, ...damagedNamed(plan), ...(plan.lifecycle ? { lifecycle: plan.lifecycle } : {}) },
  };
  // The trail holds only what happened: "acknowledged" when an acknowledgment is queued now; when it is
  // held (the per-sender cap) or withheld, that is recorded instead, and "acknowledged" follows when queued.
  const acknowledged = plan.acknowledge
    ? { kind: "acknowledged", actor: "system", data: { automatic: true } as Record<string, unknown> }
    : { kind: "acknowledgment-withheld", actor: "system", data: { reason: plan.acknowledgmentWithheld?.reason ?? "no acknowledgment", later: plan.acknowledgmentWithheld?.later ?? false } as Record<string, unknown> };
  const trail = [opened, acknowledged].filter((e) => e.kind !== "acknowledgment-withheld").map((e) => ({ kind: e.kind, at: received, data: e.data }));
  const facts = { entitlements: org.entitlements, customerZone: requester.timeZone ?? org.timeZone, closedDates: org.closedDates, contract: org.contract, agreement: org.agreement ?? null };
  const evaluation = evaluateTrail(policy, trail, facts, [], now);
  const past = evaluation.due;
  const events: CaseOpening["events"] = [opened, acknowledged].map((e) => ({ ...e, at: new Date(received) }));
  if (past.length > 0) events.push(pastRemindersEvent(past, received, now));
  return {
    values: {
      organizationId: org.id,
      requesterId: requester.id,
      subject: msg.subject || "(no subject)",
      caseType: plan.caseType,
      severity: plan.severity.id,
      severitySource: plan.severity.source,
      severityReason: plan.severity.reason,
      environment: plan.environment,
      productVersion: plan.fields.version ?? null,
      clientApp: plan.fields.clientApp ?? null,
      namespaces: plan.fields.namespaces ? plan.fields.namespaces.split(/[,;\s]+/).filter(Boolean) : [],
      templateFields: plan.fields as Record<string, string>,
      missingFields: plan.missingFields.map((name) => missingFieldLabel(name, policy)),
      policyId: plan.policyId,
      openedAt: new Date(received),
      updatedAt: new Date(now),
      slaState: slaSnapshot(evaluation, now),
      // The past reminders are settled here, so the next action is the next future one.
      nextActionAt: evaluation.nextActionAt === null ? null : new Date(evaluation.nextActionAt),
      remindersSent: past.map((r) => r.key),
    },
    events: [...events, ...markEvents(plan, received)],
    initialResponse: evaluation.metrics.find((m) => m.metric === "initial-response" && m.cycle === 0) ?? null,
    pastBreaches: past.filter((r) => r.threshold >= 1),
  };
}

/** Marks the trail shows beside "opened": over the query-hour limit, chargeable under Extended Support. */
function markEvents(plan: NewCasePlan, received: number): CaseOpening["events"] {
  const at = new Date(received);
  const l = plan.lifecycle;
  return [
    ...(plan.overLimit ? [{ kind: "over-limit", actor: "system", at, data: { detail: plan.overLimit.detail } as Record<string, unknown> }] : []),
    ...(l?.chargeable ? [{ kind: "chargeable", actor: "system", at, data: { reason: "extended-support", product: l.product, version: l.version, eol: l.eol, quote: EXTENDED_SUPPORT_QUOTE } }] : []),
  ];
}

/** The trail names the parts that arrived damaged (what `case show` prints), so nobody takes them for the files. */
function damagedNamed(plan: NewCasePlan): { damagedAttachments?: Array<{ filename: string; reason: string }> } {
  const damaged = plan.damagedAttachments ?? [];
  return damaged.length > 0 ? { damagedAttachments: damaged.map(({ filename, reason }) => ({ filename, reason })) } : {};
}

/** What the case trail shows of a late read: which reminders were not sent because their time had passed. */
function pastRemindersEvent(past: ReminderOwed[], received: number, now: number) {
  return {
    kind: "reminders-past",
    actor: "system",
    at: new Date(now),
    data: {
      receivedAt: new Date(received).toISOString(),
      readAt: new Date(now).toISOString(),
      skipped: past.filter((r) => r.threshold < 1).map((r) => r.key),
      breached: past.filter((r) => r.threshold >= 1).map((r) => r.key),
    },
  };
}

export interface AckInput {
  desk: Desk;
  policy: Policy;
  plan: NewCasePlan;
  msg: NormalizedMessage;
  org: OpeningOrganization;
  requester: OpeningRequester;
  caseRow: { id: number; number: number; subject: string };
  initialResponse: MetricStatus | null;
  /** The organization's other DTCs, when the policy copies them. */
  cc: string[];
}

/** "4 business hours, weekdays 08:00–18:00 Pacific time" or "30 minutes, 24x7". */
function coverageWords(policy: Policy, plan: NewCasePlan, contract: ServiceLevel[] | null): string {
  const level = serviceLevelFor(withContract(policy, contract), {
    caseType: plan.caseType,
    severity: plan.severity.id,
    environment: plan.environment,
    entitlements: plan.organization.entitlements,
  });
  return level?.coverage === "24x7" ? "around the clock, 24x7" : policy.calendar.description;
}

/** The acknowledgment of a new case, ready for the outbox. Pure. */
export function acknowledgmentMessage(a: AckInput): NewOutgoing {
  const { desk, plan, msg, caseRow } = a;
  // The organization's own hours, when agreed, are the ones its acknowledgment names.
  const policy = withAgreedHours(a.policy, a.org.agreement?.hours);
  const zone = readerZone(a.requester.timeZone, a.org.timeZone, policy.calendar.zone);
  const severityName = (id: string | undefined) => policy.severities.find((s) => s.id === id)?.name ?? id ?? "";
  const body = desk.templates.render("acknowledgment", {
    requesterName: a.requester.name,
    caseNumber: caseRow.number,
    caseToken: caseToken(desk.caseTokenFormat, caseRow.number),
    subject: caseRow.subject,
    severity: {
      name: severityName(plan.severity.id),
      downgraded: plan.severity.source === "downgrade",
      reason: plan.severity.reason,
      // Said once, by name; the reason only when the policy changed what the customer asked for.
      requestedName: plan.severity.requested ? severityName(plan.severity.requested) : null,
      changeReason: plan.severity.source === "downgrade" ? (plan.severity.changeReason ?? plan.severity.reason) : null,
    },
    // The template's name for the initial-response metric (templates in a templatesDir rely on it).
    firstResponse: a.initialResponse
      ? { due: formatDue(a.initialResponse.dueAt, zone), target: a.initialResponse.targetText, coverage: coverageWords(policy, plan, a.org.contract) }
      : null,
    missingFields: plan.missingFields.map((name) => missingFieldLabel(name, policy)),
    droppedAttachments: plan.droppedAttachments.map((d) => ({ filename: d.filename, size: formatBytes(d.size) })),
    damagedAttachments: (plan.damagedAttachments ?? []).map((d) => ({ name: d.sent })),
    policyName: policy.name,
    supportAddress: desk.fromAddress,
    quota: plan.quota ?? null,
    overLimit: plan.overLimit ?? null,
    lifecycle: lifecycleForAck(plan),
  });
  const key = `case:${caseRow.number}:acknowledgment`;
  return {
    idempotencyKey: key,
    kind: "acknowledgment",
    caseId: caseRow.id,
    from: desk.fromAddress,
    to: [a.requester.email],
    cc: a.cc,
    replyTo: desk.fromAddress,
    subject: caseSubject(desk.caseTokenFormat, caseRow.number, msg.subject || "(no subject)"),
    messageId: messageIdFor(key, desk.supportDomain),
    ...threadRefs({ messageId: msg.messageId, references: msg.references }),
    headers: { ...standardHeaders("acknowledgment", desk.fromAddress) },
    text: body.text,
    html: body.html,
  };
}

/** What the acknowledgment says of the version's support period: chargeable under Extended Support, covered, or unknown. */
function lifecycleForAck(plan: NewCasePlan) {
  const l = plan.lifecycle;
  if (!l) return null;
  return { ...l, quote: EXTENDED_SUPPORT_QUOTE, unknown: l.unknown?.detail ?? null };
}
