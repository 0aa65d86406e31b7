/**
 * A case's SLA from its trail (pure): the policy it runs under, the engine's evaluation of its clock-moving
 * events, and what of it is kept on the case row (the snapshot and the scheduler's index).
 */
import type { Policy, ServiceLevel } from "../policy/types.js";
import { requirePolicy } from "../policy/catalogue.js";
import { withContract } from "../policy/contract.js";
import { calendarsForPolicy } from "../sla/calendars.js";
import { evaluateCase } from "../sla/engine.js";
import type { SlaEvaluation } from "../sla/types.js";
import { timelineFromEvents, type StoredEvent } from "./timeline.js";
import type { Agreement } from "../entitlements/agreement.js";
import { withAgreedHours } from "../entitlements/hours.js";

export interface SlaFacts {
  entitlements: string[];
  /** The customer's zone (requester's, else organization's), for calendars that follow it. */
  customerZone: string | null;
  /** The organization's own closed days, "YYYY-MM-DD". */
  closedDates?: string[];
  /** Service levels of the organization's contract, ahead of the policy's. */
  contract?: ServiceLevel[] | null;
  /** The rest of the contract: its own business hours replace the policy calendar. */
  agreement?: Agreement | null;
}

export function policyOf(policies: ReadonlyMap<string, Policy>, c: { policyId: string; number: number }): Policy {
  return requirePolicy(policies, c.policyId, `case #${c.number}`);
}

/** `remindersSent` null: a report (the digest) that wants metric states only, no reminders. */
export function evaluateTrail(base: Policy, trail: StoredEvent[], facts: SlaFacts, remindersSent: string[] | null, now: number): SlaEvaluation {
  const policy = withAgreedHours(base, facts.agreement?.hours);
  return evaluateCase({
    policy: withContract(policy, facts.contract),
    calendarFor: calendarsForPolicy(policy, facts.customerZone, facts.closedDates),
    timeline: timelineFromEvents(trail),
    context: { entitlements: facts.entitlements, customerZone: facts.customerZone, remindersSent: remindersSent ?? [] },
    now,
    reminders: remindersSent !== null,
  });
}

/** What we keep of an evaluation on the case row: for display and the digest, never the source of truth. */
export function slaSnapshot(evaluation: SlaEvaluation, now: number) {
  return { evaluatedAt: now, metrics: evaluation.metrics, next: evaluation.next };
}

/**
 * The scheduler's index for a case just evaluated: now when reminders are already owed (a case resumed
 * past a threshold), else the engine's next action.
 */
export function nextActionDate(evaluation: SlaEvaluation, now: number): Date | null {
  if (evaluation.due.length > 0) return new Date(now);
  return evaluation.nextActionAt === null ? null : new Date(evaluation.nextActionAt);
}
