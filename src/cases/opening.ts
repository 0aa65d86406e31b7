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
import { evaluateTrail, nextActionDate, slaSnapshot } from "./case-sla.js";
import type { MetricStatus } from "../sla/types.js";
import type { NormalizedMessage } from "../mail/message.js";
import type { NewCasePlan } from "./inbound-decision.js";
import { formatBytes, formatDue, readerZone } from "./present.js";
import { missingFieldLabel } from "./intake/missing-fields.js";

/** What opening a case needs to know of the organization. */
export interface OpeningOrganization {
  id: number;
  entitlements: string[];
  timeZone: string | null;
  closedDates: string[];
  contract: ServiceLevel[] | null;
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
}

/** What opening a case writes, worked out in memory: the case row, its first events, its initial-response due. */
export interface CaseOpening {
  values: NewCaseRecord;
  events: Array<{ kind: string; actor: string; data: Record<string, unknown> }>;
  initialResponse: MetricStatus | null;
}

/**
 * The trail a new case starts with, evaluated here so the case row is written once. The automatic
 * acknowledgment is not a response, but Konneqt's workaround and resolution clocks run from it. Pure.
 */
export function planCaseOpening(policy: Policy, plan: NewCasePlan, msg: NormalizedMessage, org: OpeningOrganization, requester: OpeningRequester, now: number): CaseOpening {
  const opened = {
    kind: "opened",
    actor: plan.requester.email,
    data: { caseType: plan.caseType, severity: plan.severity.id, environment: plan.environment, severitySource: plan.severity.source, severityReason: plan.severity.reason },
  };
  const acknowledged = { kind: "acknowledged", actor: "system", data: { automatic: true } };
  const trail = [opened, acknowledged].map((e) => ({ kind: e.kind, at: now, data: e.data }));
  const facts = { entitlements: org.entitlements, customerZone: requester.timeZone ?? org.timeZone, closedDates: org.closedDates, contract: org.contract };
  const evaluation = evaluateTrail(policy, trail, facts, [], now);
  const at = new Date(now);
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
      openedAt: at,
      updatedAt: at,
      slaState: slaSnapshot(evaluation, now),
      nextActionAt: nextActionDate(evaluation, now),
    },
    events: [opened, acknowledged],
    initialResponse: evaluation.metrics.find((m) => m.metric === "initial-response" && m.cycle === 0) ?? null,
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
  const { desk, policy, plan, msg, caseRow } = a;
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
    policyName: policy.name,
    supportAddress: desk.fromAddress,
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
