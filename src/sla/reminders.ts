/**
 * Reminder thresholds of one metric: at 50 % / 80 % of the target, at the breach (1), or whatever the policy
 * lists. A threshold's instant is where that fraction of the target's open time has elapsed, counting pauses
 * the same way the due time does, so a reminder never fires during time the clock does not count.
 */
import type { BusinessCalendar } from "../calendar/types.js";
import type { Policy, ReminderThreshold, Target } from "../policy/types.js";
import { clipPauses, dueAfter, targetMs } from "./deadline-with-pauses.js";
import type { MetricRun } from "./runs.js";
import type { MetricStatus, ReminderOwed } from "./types.js";

/**
 * A metric's status together with what the reminder step needs to place thresholds. Declared here,
 * beside its consumer, so the engine imports the reminders and not the other way round.
 */
export interface EvaluatedMetric {
  status: MetricStatus;
  run: MetricRun;
  target: Target;
  cal: BusinessCalendar;
  pausedNow: boolean;
}

/** Idempotency key of a reminder within its case; the outbox and remindersSent use it. */
export function reminderKey(metric: string, cycle: number, threshold: number): string {
  return `${metric}:${cycle}:${threshold}`;
}

export function applies(t: ReminderThreshold, metric: string, severity: string): boolean {
  return (!t.metrics || t.metrics.includes(metric as never)) && (!t.severities || t.severities.includes(severity));
}

/** Every applicable threshold not yet sent of a metric whose clock has not been met; empty for met metrics. */
export function remindersFor(policy: Policy, severity: string, m: EvaluatedMetric, now: number, sent: readonly string[] = []): ReminderOwed[] {
  const { status, run, target, cal } = m;
  if (status.metAt !== null) return [];
  const thresholds = policy.reminders.filter((t) => applies(t, run.metric, severity) && !sent.includes(reminderKey(run.metric, run.cycle, t.at)));
  if (thresholds.length === 0) return [];
  const pauses = clipPauses(run.pauses, run.start, now);
  // Minutes of open time are exactly that many ms of open time; only business days need the calendar.
  const d = target.duration;
  const fullMs = d.unit === "minutes" ? d.amount * 60_000 : targetMs(cal, run.start, d);
  // Several entries may share a threshold (Konneqt: managers and, for workaround/resolution, executives at
  // the breach): one reminder per threshold, notifying everyone listed, keeps the key unique.
  const byKey = new Map<string, ReminderOwed>();
  for (const t of thresholds) {
    const key = reminderKey(run.metric, run.cycle, t.at);
    const known = byKey.get(key);
    if (known) {
      known.notify = [...new Set([...known.notify, ...t.notify])];
      continue;
    }
    const at = t.at === 1 ? status.dueAt : dueAfter(cal, run.start, { unit: "minutes", amount: (t.at * fullMs) / 60_000 }, pauses);
    byKey.set(key, { metric: run.metric, cycle: run.cycle, threshold: t.at, at, notify: [...t.notify], key });
  }
  return [...byKey.values()];
}
