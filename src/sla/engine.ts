/**
 * The SLA engine: policy + calendars + case timeline + now in; every metric's due time and state, the
 * reminders owed and the next instant the scheduler should look again. Pure and synchronous.
 */
import type { BusinessCalendar, Instant } from "../calendar/types.js";
import { METRIC_IDS, type Policy, type ServiceLevel, type Target } from "../policy/types.js";
import { levelAndCalendar } from "./reachability.js";
import { clipPauses, dueAfter, signedRemaining } from "./deadline-with-pauses.js";
import { readHistory } from "./history.js";
import { remindersFor, type EvaluatedMetric } from "./reminders.js";
import { metricRuns, type MetricRun } from "./runs.js";
import type { MetricStatus, ReminderOwed, SlaContext, SlaEvaluation, TimelineEvent } from "./types.js";

export type Coverage = ServiceLevel["coverage"];

export interface EvaluateInput {
  policy: Policy;
  calendarFor: (coverage: Coverage) => BusinessCalendar;
  timeline: TimelineEvent[];
  context: SlaContext;
  now: Instant;
  /** false: metric states only, no reminders (reports such as the digest, which never send them). */
  reminders?: boolean;
}

export function evaluateCase(input: EvaluateInput): SlaEvaluation {
  const { policy, context, now } = input;
  const history = readHistory(input.timeline, now);
  const facts = { caseType: history.caseType, severity: history.severity, environment: history.environment, entitlements: context.entitlements };
  // The named point of contact's reachability (CIQ Premium) chooses the level and how time counts.
  const found = levelAndCalendar(policy, facts, history.unreachable, input.calendarFor);
  if (!found) return { metrics: [], due: [], next: null, nextActionAt: null };
  const { level, cal } = found;
  const withTarget = METRIC_IDS.filter((m) => level.targets[m] !== undefined);
  const evaluated = metricRuns(history, policy, withTarget).map((run) => evaluateMetric(run, level.targets[run.metric]!, cal, now));
  const sent = context.remindersSent ?? [];
  const due: ReminderOwed[] = [];
  let next: ReminderOwed | null = null;
  for (const m of input.reminders === false ? [] : evaluated) {
    for (const r of remindersFor(policy, history.severity, m, now, sent)) {
      if (r.at <= now) due.push(r);
      else if (!m.pausedNow && (next === null || r.at < next.at)) next = r;
    }
  }
  due.sort((a, b) => a.at - b.at);
  return { metrics: evaluated.map((m) => m.status), due, next, nextActionAt: nextAction(evaluated, next, now) };
}

function evaluateMetric(run: MetricRun, target: Target, cal: BusinessCalendar, now: Instant): EvaluatedMetric {
  const end = run.metAt ?? now;
  const pausedNow = run.metAt === null && run.pauses.some((p) => p.to === null && p.from <= now);
  const dueAt = dueAfter(cal, run.start, target.duration, clipPauses(run.pauses, run.start, end));
  const state: MetricStatus["state"] =
    run.metAt !== null ? (run.metAt > dueAt ? "breached-met" : "met") : now > dueAt ? "breached" : pausedNow ? "paused" : "running";
  const status: MetricStatus = {
    metric: run.metric,
    cycle: run.cycle,
    start: run.start,
    targetText: target.text,
    dueAt,
    state,
    metAt: run.metAt,
    remainingMs: signedRemaining(cal, end, dueAt),
  };
  return { status, run, target, cal, pausedNow };
}

/** The earliest future reminder or due time of a clock that is actually running; null when all wait on events. */
function nextAction(metrics: EvaluatedMetric[], next: ReminderOwed | null, now: Instant): Instant | null {
  let at = next?.at ?? Infinity;
  for (const m of metrics) {
    if (m.status.state === "running" && m.status.dueAt > now) at = Math.min(at, m.status.dueAt);
  }
  return at === Infinity ? null : at;
}

