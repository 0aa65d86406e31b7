/**
 * SLA engine contract: policy + organization entitlements + case timeline + now in; metric states,
 * the next reminder owed and one nextActionAt out. Pure: no I/O, no clock reads.
 */
import type { Instant } from "../calendar/types.js";
import type { Audience, CaseTypeId, EntitlementId, Environment, MetricId } from "../policy/types.js";

export type CaseStatus = "open" | "waiting" | "resolved" | "closed";

/** One entry of a case's history, in the order it happened. The engine derives everything from these. */
export type TimelineEvent =
  | { kind: "opened"; at: Instant; caseType: CaseTypeId; severity: string; environment?: Environment | null }
  | { kind: "acknowledged"; at: Instant }
  | { kind: "severity-changed"; at: Instant; severity: string }
  | { kind: "type-changed"; at: Instant; caseType: CaseTypeId }
  | { kind: "staff-replied"; at: Instant; public: boolean }
  | { kind: "customer-replied"; at: Instant }
  | { kind: "status-changed"; at: Instant; status: CaseStatus }
  | { kind: "workaround-provided"; at: Instant }
  /** The organization's named point of contact marked unreachable (false) or reachable again (true) on this case. */
  | { kind: "contact-reachability"; at: Instant; reachable: boolean };

export interface SlaContext {
  entitlements: EntitlementId[];
  /** The customer's zone, for calendars that follow it (CIQ). */
  customerZone?: string | null;
  /** Reminders already sent, so the engine owes only the next one: keys "metric:cycle:threshold" (ReminderOwed.key). */
  remindersSent?: string[];
}

export type MetricState = "running" | "paused" | "met" | "breached" | "breached-met";

export interface MetricStatus {
  metric: MetricId;
  /** Ongoing response and status updates repeat; each repetition is a cycle, counted from 0. */
  cycle: number;
  start: Instant;
  targetText: string;
  dueAt: Instant;
  state: MetricState;
  metAt: Instant | null;
  /** Business (or wall, on 24x7 coverage) milliseconds left until due; negative when overdue. */
  remainingMs: number;
}

export interface ReminderOwed {
  metric: MetricId;
  cycle: number;
  /** Fraction of the target: 0.5, 0.8, 1 (breach). */
  threshold: number;
  at: Instant;
  notify: Audience[];
  /** Unique per case: what the outbox uses in its idempotency key. */
  key: string;
}

export interface SlaEvaluation {
  metrics: MetricStatus[];
  /** Reminders whose time has come (at <= now) and that are not in remindersSent. */
  due: ReminderOwed[];
  /** The earliest future reminder, if any. */
  next: ReminderOwed | null;
  /** When the scheduler should look at this case again; null when nothing can happen without new events. */
  nextActionAt: Instant | null;
}
