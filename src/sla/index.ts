/** The SLA engine's public surface: evaluate a case, get its calendars, name its reminders, answer `sla due`. */
export type { CaseStatus, MetricState, MetricStatus, ReminderOwed, SlaContext, SlaEvaluation, TimelineEvent } from "./types.js";
export { evaluateCase, type Coverage, type EvaluateInput } from "./engine.js";
export { calendarsForPolicy, effectiveZone } from "./calendars.js";
export { reminderKey } from "./reminders.js";
export { dueReport, type DueQuery, type DueReport, type DueLine } from "./due-report.js";
