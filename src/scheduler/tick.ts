/**
 * The scheduler tick: cases whose nextActionAt has passed (an index makes this proportional to what is
 * due), evaluated by the SLA engine; each reminder or breach alert owed is rendered and queued in the
 * same transaction that records it as sent and stores the case's next action time. Cases are locked
 * with SKIP LOCKED, so several workers tick safely at once.
 */
import type { Agreement } from "../entitlements/agreement.js";
import type { Clock } from "../clock/clock.js";
import { caseSubject, caseToken, messageIdFor, standardHeaders } from "../outbox/headers.js";
import { enqueueMany, type NewOutgoing } from "../outbox/queue.js";
import type { Policy, ServiceLevel } from "../policy/types.js";
import type { MetricStatus, ReminderOwed } from "../sla/types.js";
import type { WorkLogger } from "../log/work-logger.js";
import type { Db } from "../store/database.js";
import { lockDueCases, type Case } from "../store/repos/cases.js";
import { retryTransient } from "../store/retry.js";
import { listStaff } from "../store/repos/staff.js";
import { listContactsById, listOrganizationSlaFacts, saveCaseSlaMany } from "../store/repos/case-sla.js";
import { appendEvents } from "../store/repos/events.js";
import { formatDue, formatSpan, METRIC_LABELS } from "../cases/present.js";
import type { Desk } from "../desk.js";
import { evaluateTrail, policyOf, slaSnapshot } from "../cases/case-sla.js";
import { loadTrails } from "./case-sla.js";
import { recipientsFor, type StaffMember } from "../correspondence/recipients.js";
import { recordDecisions, type EvaluatedCase } from "../digest/record.js";

export type TickLogger = Pick<WorkLogger, "info" | "error">;

export interface TickSummary {
  cases: number;
  queued: number;
  failed: number;
  /** Each reminder this tick queued, by the case's policy; `breach` when its threshold is 100 % or more. */
  reminders?: Array<{ policy: string; breach: boolean }>;
}

/** When a case's evaluation fails, look again later rather than spin on it every tick. */
const RETRY_FAILED_CASE_MS = 5 * 60_000;

const ESCALATION =
  "The policy escalates this to the executive team: a war team of support engineers, executives and the " +
  "subscriber's representatives sets the response plan and the status update frequency.";

interface CaseFacts {
  org: { name: string; entitlements: string[]; timeZone: string | null; closedDates: string[]; contract: ServiceLevel[] | null; agreement?: Agreement | null };
  requester: { name: string; email: string; timeZone: string | null };
}

async function loadFacts(db: Db, due: Case[]): Promise<Map<number, CaseFacts>> {
  const orgIds = [...new Set(due.map((c) => c.organizationId))];
  const contactIds = [...new Set(due.map((c) => c.requesterId))];
  const [orgs, people] = await Promise.all([
    listOrganizationSlaFacts(db, orgIds),
    listContactsById(db, contactIds),
  ]);
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  const personById = new Map(people.map((p) => [p.id, p]));
  const facts = new Map<number, CaseFacts>();
  for (const c of due) {
    const o = orgById.get(c.organizationId);
    const p = personById.get(c.requesterId);
    facts.set(c.id, {
      org: { name: o?.name ?? "?", entitlements: o?.entitlements ?? [], timeZone: o?.timeZone ?? null, closedDates: o?.closedDates ?? [], contract: o?.contract ?? null, agreement: o?.agreement ?? null },
      requester: { name: p?.name ?? "?", email: p?.email ?? "?", timeZone: p?.timeZone ?? null },
    });
  }
  return facts;
}

export async function schedulerTick(opts: { db: Db; desk: Desk; clock: Clock; logger: TickLogger; limit?: number; signal?: AbortSignal }): Promise<TickSummary> {
  const { db, desk, clock, logger } = opts;
  const now = clock.now();
  // A serialization failure or a restarted server rolls the whole tick back: run it again (store/retry.ts).
  return retryTransient(() => db.transaction(async (tx) => {
    const due = await lockDueCases(tx, new Date(now), opts.limit ?? 1000);
    const summary: TickSummary = { cases: due.length, queued: 0, failed: 0 };
    if (due.length === 0) return summary;
    const [trails, facts, staff] = await Promise.all([
      loadTrails(tx, due.map((c) => c.id)),
      loadFacts(tx, due),
      listStaff(tx, { activeOnly: true }),
    ]);
    // Decide for every case first (pure evaluation and rendering), then write everything in a few
    // statements: a tick with a thousand due cases costs a handful of round trips, not thousands.
    const plans: CasePlan[] = [];
    for (const c of due) {
      try {
        plans.push(planCase(desk, c, trails.get(c.id) ?? [], facts.get(c.id)!, staff, now));
      } catch (error) {
        summary.failed++;
        logger.error({ case: c.number, error: (error as Error).message }, "SLA evaluation failed; will look again later");
        plans.push({ caseId: c.id, mail: [], events: [], update: { remindersSent: c.remindersSent, slaState: c.slaState, nextActionAt: new Date(now + RETRY_FAILED_CASE_MS) } });
      }
    }
    summary.queued = await applyPlans(tx, plans, now);
    const policyOfCase = new Map(due.map((c) => [c.id, c.policyId]));
    summary.reminders = plans.flatMap((p) => p.events.map((e) => ({ policy: policyOfCase.get(p.caseId)!, breach: Number(e.data.threshold) >= 1 })));
    for (const plan of plans) for (const e of plan.events) logger.info({ case: e.caseNumber, ...e.data }, Number(e.data.threshold) >= 1 ? "SLA breached" : "reminder queued");
    return summary;
  }), { signal: opts.signal });
}

interface CasePlan {
  caseId: number;
  mail: NewOutgoing[];
  events: Array<{ caseNumber: number; data: Record<string, unknown> }>;
  update: { remindersSent: string[]; slaState: unknown; nextActionAt: Date | null };
  /** The new evaluation, for the digest's rollup; absent when the evaluation failed (nothing changes). */
  evaluated?: EvaluatedCase;
}

function planCase(
  desk: Desk,
  c: Case,
  trail: Parameters<typeof evaluateTrail>[1],
  facts: CaseFacts,
  staff: StaffMember[],
  now: number,
): CasePlan {
  const policy = policyOf(desk.policies, c);
  const customerZone = facts.requester.timeZone ?? facts.org.timeZone;
  const evaluation = evaluateTrail(
    policy,
    trail,
    { entitlements: facts.org.entitlements, customerZone, closedDates: facts.org.closedDates, contract: facts.org.contract, agreement: facts.org.agreement },
    c.remindersSent,
    now,
  );
  const plan: CasePlan = {
    caseId: c.id,
    mail: [],
    events: [],
    update: {
      remindersSent: [...c.remindersSent, ...evaluation.due.map((r) => r.key)],
      slaState: slaSnapshot(evaluation, now),
      nextActionAt: evaluation.nextActionAt === null ? null : new Date(evaluation.nextActionAt),
    },
    evaluated: { caseId: c.id, policyId: c.policyId, severity: c.severity, metrics: evaluation.metrics },
  };
  for (const reminder of evaluation.due) {
    const status = evaluation.metrics.find((m) => m.metric === reminder.metric && m.cycle === reminder.cycle);
    if (!status) continue;
    const to = recipientsFor(reminder.notify, c.assigneeId, staff);
    if (to.length) plan.mail.push(reminderMail(desk, policy, c, facts, reminder, status, to));
    plan.events.push({
      caseNumber: c.number,
      data: { key: reminder.key, metric: reminder.metric, threshold: reminder.threshold, to: to.map((s) => s.email) },
    });
  }
  return plan;
}

const chunk = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Writes every plan: outbox rows (idempotent by key), trail events, and each case's new SLA state. */
async function applyPlans(tx: Db, plans: CasePlan[], now: number): Promise<number> {
  let queued = 0;
  const mail = plans.flatMap((p) => p.mail);
  for (const part of chunk(mail, 500)) queued += await enqueueMany(tx, part, now);
  const events = plans.flatMap((p) => p.events.map((e) => ({ caseId: p.caseId, at: new Date(now), actor: "system", kind: "reminder-queued", data: e.data })));
  for (const part of chunk(events, 1000)) await appendEvents(tx, part);
  for (const part of chunk(plans, 1000)) await saveCaseSlaMany(tx, part.map((p) => ({ caseId: p.caseId, ...p.update })), new Date(now));
  await recordDecisions(tx, plans.flatMap((p) => (p.evaluated ? [p.evaluated] : [])), now);
  return queued;
}

function reminderMail(
  desk: Desk,
  policy: Policy,
  c: Case,
  facts: CaseFacts,
  reminder: ReminderOwed,
  status: MetricStatus,
  to: StaffMember[],
): NewOutgoing {
  const breach = reminder.threshold >= 1;
  const kind = breach ? "breach-alert" : "reminder";
  const key = `case:${c.number}:${kind}:${reminder.key}`;
  const zone = to[0]?.timeZone ?? desk.timeZone;
  const severity = policy.severities.find((s) => s.id === c.severity)?.name ?? c.severity;
  const body = desk.templates.render(kind, {
    caseNumber: c.number,
    caseToken: caseToken(desk.caseTokenFormat, c.number),
    organization: facts.org.name,
    severity,
    subject: c.subject,
    requester: `${facts.requester.name} <${facts.requester.email}>`,
    assignee: to.length === 1 && c.assigneeId === to[0]!.id ? to[0]!.email : null,
    metric: METRIC_LABELS[status.metric],
    target: status.targetText,
    due: formatDue(status.dueAt, zone),
    percent: Math.round(reminder.threshold * 100),
    remaining: formatSpan(status.remainingMs),
    late: formatSpan(Math.min(0, status.remainingMs)),
    escalation: breach && reminder.notify.includes("executives") ? ESCALATION : null,
    supportAddress: desk.fromAddress,
  });
  const label = breach ? `SLA breach: ${METRIC_LABELS[status.metric]}` : `Reminder: ${METRIC_LABELS[status.metric]} due ${formatDue(status.dueAt, zone)}`;
  return {
    idempotencyKey: key,
    kind,
    caseId: c.id,
    from: desk.fromAddress,
    to: to.map((s) => s.email),
    replyTo: desk.fromAddress,
    subject: caseSubject(desk.caseTokenFormat, c.number, `${label} — ${c.subject}`).replace(/^Re: /, ""),
    messageId: messageIdFor(key, desk.supportDomain),
    headers: { ...standardHeaders(kind, desk.fromAddress) },
    text: body.text,
    html: body.html,
  };
}
