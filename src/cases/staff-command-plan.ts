/**
 * Parsed staff commands → the change to the case row and the events that record it. Pure: the caller
 * writes the plan. A command that changes nothing (#status open on an open case) records nothing.
 */
import type { CaseCommand, CommandStatus } from "./commands.js";
import type { CaseEventKind } from "./timeline.js";

/** The fields of a case the commands read: plain data, so the plan needs no store row. */
export interface CommandTarget {
  severity: string;
  caseType: string;
  assigneeId: number | null;
  status: CommandStatus;
  /** false while the organization's named contact is marked unreachable on this case (#contact). */
  contactReachable?: boolean;
}

/** The columns the commands may change; the caller adds the time of the change when it writes them. */
export interface CommandPatch {
  severity?: string;
  severitySource?: string;
  severityReason?: string | null;
  caseType?: string;
  assigneeId?: number | null;
  status?: CommandStatus;
}

export interface PlannedEvent {
  kind: CaseEventKind;
  data: Record<string, unknown>;
}

export interface CommandPlan {
  patch: CommandPatch;
  /** Recorded before the reply itself: what the staff member changed. */
  events: PlannedEvent[];
  /** Recorded after the reply, so a reply that resolves the case still counts as a response. */
  status: { from: CommandStatus; to: CommandStatus } | null;
  comment: boolean;
}

/** Whether the named point of contact is reachable on a case, from its trail: the last #contact mark wins. */
export function contactReachable(trail: ReadonlyArray<{ kind: string }>): boolean {
  const last = [...trail].reverse().find((e) => e.kind === "contact-unreachable" || e.kind === "contact-reachable");
  return last?.kind !== "contact-unreachable";
}

export function planCommands(caseRow: CommandTarget, commands: CaseCommand[], actor: string): CommandPlan {
  const plan: CommandPlan = { patch: {}, events: [], status: null, comment: false };
  for (const c of commands) {
    switch (c.kind) {
      case "severity":
        if (c.severity === caseRow.severity) break;
        plan.patch.severity = c.severity;
        plan.patch.severitySource = "staff";
        plan.patch.severityReason = `set by ${actor}`;
        plan.events.push({ kind: "severity-changed", data: { severity: c.severity, from: caseRow.severity } });
        break;
      case "type":
        if (c.caseType === caseRow.caseType) break;
        plan.patch.caseType = c.caseType;
        plan.events.push({ kind: "type-changed", data: { caseType: c.caseType, from: caseRow.caseType } });
        break;
      case "assign":
        if (c.staffId === caseRow.assigneeId) break;
        plan.patch.assigneeId = c.staffId;
        plan.events.push({ kind: "assigned", data: { assigneeId: c.staffId, email: c.email } });
        break;
      case "workaround":
        plan.events.push({ kind: "workaround-provided", data: {} });
        break;
      case "status":
        if (c.status === caseRow.status) break;
        plan.patch.status = c.status;
        plan.status = { from: caseRow.status, to: c.status };
        break;
      case "comment":
        plan.comment = true;
        break;
      case "time":
        plan.events.push({ kind: "time-recorded", data: { minutes: c.minutes, counts: c.counts } });
        break;
      case "contact":
        if (c.reachable === (caseRow.contactReachable ?? true)) break;
        plan.events.push({ kind: c.reachable ? "contact-reachable" : "contact-unreachable", data: {} });
        break;
    }
  }
  return plan;
}
