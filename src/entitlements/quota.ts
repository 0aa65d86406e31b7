/**
 * Ticket quota (Infotecs [001]: "Basic Support Plan includes resolving of up to 40 Tickets per year … If less
 * than 40 Tickets were resolved for the customer, then the remaining number of potential support requests shall
 * be added to the next-year Support Plan"). Pure: the organization's cases with their status history in, each
 * contract year's allowance and use out.
 *
 * The count is derived from case history, never kept as a counter: a case counts when it is resolved (or closed)
 * now, in the contract year of the instant its current resolved stretch began. So a case resolved, reopened and
 * resolved again counts once (at its last resolution), a reopened case counts only when resolved again, and a
 * case whose type the policy does not count (Premium feature requests, "the price shall be stipulated
 * separately") stops counting when reclassified.
 */
import type { Instant } from "../calendar/types.js";
import type { CaseTypeId, Policy } from "../policy/types.js";
import type { Agreement } from "./agreement.js";
import { contractYear, contractYearAt, type ContractTerm, type ContractYear } from "./term.js";

export interface QuotaRule {
  ticketsPerYear: number;
  carryOver: boolean;
  /** Most unused tickets carried into the next year; null: no cap. */
  carryOverCap: number | null;
  /** Case types that count; null: every type. */
  countedCaseTypes: CaseTypeId[] | null;
}

/** One case as the quota sees it: its current type and status and its status changes in order. */
export interface QuotaCase {
  number: number;
  caseType: string;
  status: string;
  statusChanges: Array<{ at: Instant; status: string }>;
}

/** The policy's quota with the contract's own numbers applied; null when neither counts tickets. */
export function quotaRuleFor(policy: Policy, agreement: Agreement | null | undefined): QuotaRule | null {
  const tickets = agreement?.ticketsPerYear ?? policy.quota?.ticketsPerYear;
  if (tickets === undefined) return null;
  return {
    ticketsPerYear: tickets,
    carryOver: policy.quota?.carryOver ?? true,
    carryOverCap: agreement?.carryOverCap ?? null,
    countedCaseTypes: policy.quota?.countedCaseTypes ?? null,
  };
}

const isDone = (status: string) => status === "resolved" || status === "closed";

/** When the case's current resolved (or closed) stretch began; null while it is open or waiting. */
export function resolvedAt(c: QuotaCase): Instant | null {
  if (!isDone(c.status)) return null;
  let since: Instant | null = null;
  for (const change of c.statusChanges) {
    if (!isDone(change.status)) since = null;
    else if (since === null) since = change.at;
  }
  return since;
}

export const counts = (rule: QuotaRule, c: Pick<QuotaCase, "caseType">): boolean =>
  rule.countedCaseTypes === null || rule.countedCaseTypes.includes(c.caseType as CaseTypeId);

export interface YearUsage {
  year: ContractYear;
  /** The year's own allowance (policy or contract). */
  base: number;
  carriedOver: number;
  allowance: number;
  used: number;
  remaining: number;
  /** Counted cases with their resolution instants, oldest first. */
  counted: Array<{ number: number; resolvedAt: Instant }>;
}

/** Allowance and use of contract year `number`, carrying unused tickets forward from year 1. */
export function yearUsage(rule: QuotaRule, term: ContractTerm, zone: string, cases: readonly QuotaCase[], number: number): YearUsage {
  const resolved = cases.flatMap((c) => {
    const at = counts(rule, c) ? resolvedAt(c) : null;
    return at === null ? [] : [{ number: c.number, resolvedAt: at }];
  });
  let carried = 0;
  let usage: YearUsage | null = null;
  for (let n = 1; n <= number; n++) {
    const year = contractYear(term, n, zone);
    const counted = resolved.filter((r) => r.resolvedAt >= year.start && r.resolvedAt < year.end).sort((a, b) => a.resolvedAt - b.resolvedAt || a.number - b.number);
    const allowance = rule.ticketsPerYear + carried;
    usage = { year, base: rule.ticketsPerYear, carriedOver: carried, allowance, used: counted.length, remaining: Math.max(0, allowance - counted.length), counted };
    const unused = Math.max(0, allowance - counted.length);
    carried = rule.carryOver ? Math.min(unused, rule.carryOverCap ?? Infinity) : 0;
  }
  return usage!;
}

/** The usage of the contract year containing `at`; null before the term starts. */
export function usageAt(rule: QuotaRule, term: ContractTerm, zone: string, cases: readonly QuotaCase[], at: Instant): YearUsage | null {
  const year = contractYearAt(term, at, zone);
  return year ? yearUsage(rule, term, zone, cases, year.number) : null;
}

/** "At 80% used, the DTCs and managers get one notice per year." */
export const NOTICE_FRACTION = 0.8;
export const nearQuota = (u: Pick<YearUsage, "used" | "allowance">): boolean => u.allowance > 0 && u.used >= NOTICE_FRACTION * u.allowance;
