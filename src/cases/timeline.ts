/**
 * A case's stored event trail → the SLA engine's timeline. The trail holds more than the engine needs
 * (notes, assignments, reminders queued); only the kinds below move a clock. Pure.
 */
import type { CaseTypeId, Environment } from "../policy/types.js";
import type { CaseStatus, TimelineEvent } from "../sla/types.js";

/** What a case_events row looks like to the core: kind, instant, and its data. */
export interface StoredEvent {
  kind: string;
  at: number;
  data: Record<string, unknown>;
}

/** Every kind of event a case trail may hold; the first eight feed the SLA engine. */
export const CASE_EVENT_KINDS = [
  "opened",
  "acknowledged",
  "severity-changed",
  "type-changed",
  "staff-replied",
  "customer-replied",
  "status-changed",
  "workaround-provided",
  "assigned",
  "note",
  "automatic-message",
  "reminder-queued",
  "command-rejected",
  "attachments-purged",
  "reminders-past",
  "acknowledgment-withheld",
  "time-recorded",
  "contact-unreachable",
  "contact-reachable",
  "over-limit",
  "personal-data-erased",
  "chargeable",
] as const;
export type CaseEventKind = (typeof CASE_EVENT_KINDS)[number];

/** The kinds that move an SLA clock: a trail loaded for evaluation needs only these. */
export const TIMELINE_EVENT_KINDS: readonly CaseEventKind[] = [...CASE_EVENT_KINDS.slice(0, 8), "contact-unreachable", "contact-reachable"];

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function toTimelineEvent(e: StoredEvent): TimelineEvent | null {
  const { at, data } = e;
  switch (e.kind) {
    case "opened":
      return {
        kind: "opened",
        at,
        caseType: (str(data.caseType) ?? "incident") as CaseTypeId,
        severity: str(data.severity) ?? "",
        environment: (str(data.environment) ?? null) as Environment | null,
      };
    case "acknowledged":
    case "customer-replied":
    case "workaround-provided":
      return { kind: e.kind, at };
    case "severity-changed":
      return { kind: "severity-changed", at, severity: str(data.severity) ?? "" };
    case "type-changed":
      return { kind: "type-changed", at, caseType: (str(data.caseType) ?? "incident") as CaseTypeId };
    case "staff-replied":
      return { kind: "staff-replied", at, public: data.public !== false };
    case "status-changed":
      return { kind: "status-changed", at, status: (str(data.status) ?? "open") as CaseStatus };
    case "contact-unreachable":
    case "contact-reachable":
      return { kind: "contact-reachability", at, reachable: e.kind === "contact-reachable" };
    default:
      return null;
  }
}

export function timelineFromEvents(events: StoredEvent[]): TimelineEvent[] {
  return events.map(toTimelineEvent).filter((e): e is TimelineEvent => e !== null);
}
