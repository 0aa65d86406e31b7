/**
 * Applying a "new-case" plan: the case, its first events, its SLA state and the acknowledgment,
 * all in the caller's transaction. The acknowledgment's idempotency key is the case's source message,
 * so a retried transaction or a re-delivered message can never queue a second one.
 */
import { and, eq } from "drizzle-orm";
import type { NewCasePlan } from "../cases/inbound.js";
import { formatBytes, formatDue, readerZone } from "../cases/present.js";
import { AppError } from "../errors.js";
import type { NormalizedMessage } from "../mail/message.js";
import { caseSubject, caseToken, messageIdFor, standardHeaders, threadRefs } from "../outbox/headers.js";
import { enqueue, type NewOutgoing } from "../outbox/queue.js";
import { serviceLevelFor } from "../policy/select.js";
import { withContract } from "../policy/contract.js";
import type { Policy, ServiceLevel } from "../policy/types.js";
import type { MetricStatus } from "../sla/types.js";
import type { Db } from "../store/database.js";
import { createCase, type Case, type NewCase } from "../store/repos/cases.js";
import { otherDtcs } from "../store/repos/contacts.js";
import { caseEvents, contacts, messages, organizations } from "../store/schema/index.js";
import { evaluateTrail, nextActionDate, slaSnapshot } from "../scheduler/case-sla.js";
import type { Desk } from "../desk.js";

type OrgRow = typeof organizations.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;

export interface OpenCaseInput {
  desk: Desk;
  plan: NewCasePlan;
  msg: NormalizedMessage;
  /** The stored inbound message row that opened the case. */
  messageRowId: number;
  now: number;
}

/** What opening a case writes, worked out in memory: the case row, its first events, its first-response due. */
export interface CaseOpening {
  values: NewCase;
  events: Array<{ kind: string; actor: string; data: Record<string, unknown> }>;
  firstResponse: MetricStatus | null;
}

/**
 * The trail a new case starts with, evaluated here so the case row is written once. The automatic
 * acknowledgment is not a response, but Konneqt's workaround and resolution clocks run from it. Pure.
 */
export function planCaseOpening(policy: Policy, plan: NewCasePlan, msg: NormalizedMessage, org: OrgRow, requester: ContactRow, now: number): CaseOpening {
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
      missingFields: plan.missingFields,
      policyId: plan.policyId,
      openedAt: at,
      updatedAt: at,
      slaState: slaSnapshot(evaluation, now),
      nextActionAt: nextActionDate(evaluation, now),
    },
    events: [opened, acknowledged],
    firstResponse: evaluation.metrics.find((m) => m.metric === "initial-response" && m.cycle === 0) ?? null,
  };
}

export function policyFor(desk: Desk, plan: NewCasePlan): Policy {
  const policy = desk.policies.get(plan.policyId);
  if (!policy) throw new AppError("E_POLICY_UNKNOWN", `policy "${plan.policyId}" is not loaded`);
  return policy;
}

/** One case opened in the caller's transaction (the single-message path; see inbound-batch.ts for many). */
export async function openCase(tx: Db, input: OpenCaseInput): Promise<Case> {
  const { desk, plan, msg, now } = input;
  const policy = policyFor(desk, plan);
  const [found] = await tx
    .select({ org: organizations, requester: contacts })
    .from(contacts)
    .innerJoin(organizations, eq(contacts.organizationId, organizations.id))
    .where(and(eq(contacts.email, plan.requester.email), eq(organizations.name, plan.organization.name)));
  if (!found) throw new AppError("E_DIRECTORY", `organization "${plan.organization.name}" or contact ${plan.requester.email} vanished`);
  const { org, requester } = found;
  const opening = planCaseOpening(policy, plan, msg, org, requester, now);
  const created = await createCase(tx, opening.values);
  const at = new Date(now);
  // Independent statements sent together (one write on the connection), the acknowledgment after them.
  const [, , cc] = await Promise.all([
    tx.update(messages).set({ caseId: created.id }).where(eq(messages.id, input.messageRowId)),
    tx.insert(caseEvents).values(opening.events.map((e) => ({ ...e, caseId: created.id, at }))),
    plan.acknowledge && policy.ackCcDtcs ? otherDtcs(tx, org.id, requester.id) : Promise.resolve([]),
  ]);
  if (plan.acknowledge) {
    const ack = acknowledgmentMessage({ desk, policy, plan, msg, org, requester, caseRow: created, firstResponse: opening.firstResponse, cc: cc.map((c) => c.email) });
    await enqueue(tx, ack, now);
  }
  return created;
}

interface AckInput {
  desk: Desk;
  policy: Policy;
  plan: NewCasePlan;
  msg: NormalizedMessage;
  org: OrgRow;
  requester: ContactRow;
  caseRow: Pick<Case, "id" | "number" | "subject">;
  firstResponse: MetricStatus | null;
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
    },
    firstResponse: a.firstResponse
      ? { due: formatDue(a.firstResponse.dueAt, zone), target: a.firstResponse.targetText, coverage: coverageWords(policy, plan, a.org.contract) }
      : null,
    missingFields: plan.missingFields,
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
