/**
 * Konneqt's query hours ([003] "Queries are subject to maximum hourly Query Support Limits, as specified in
 * the Subscription Order Form. All hours spent by Konneqt in reaching a satisfactory resolution count toward
 * this limit, except for time spent developing a fix for a product, connector, migration script, or
 * documentation where an error or omission is so severe that it prevents the products from being used at
 * even a basic level"; "'Query Support Limit' means the maximum allowed utilization within a Subscription
 * term"). Pure: the limit from the policy (or the customer's contract), the time entries staff recorded on
 * the organization's cases, and an instant in; hours used and left, the notices owed and what a new Query
 * gets out.
 */
import type { Instant } from "../calendar/types.js";
import type { CaseTypeId, Policy } from "../policy/types.js";
import type { Agreement } from "./agreement.js";

/** One `#time` or `case time` entry, with the case it was recorded on. */
export interface TimeEntry {
  caseNumber: number;
  /** The case's type now: a case reclassified as a Query counts its time as query time. */
  caseType: string;
  at: Instant;
  actor: string;
  /** Signed: a negative entry corrects an earlier one. */
  minutes: number;
  /** false: recorded as "nocount", the seed's severe-defect exception. */
  counts: boolean;
  note: string | null;
}

/** What happens to a new request of a limited type once the hours are used up. */
export type QueryHoursEnforcement = "mark" | "refuse";

export interface QueryHourLimit {
  caseType: CaseTypeId;
  hours: number;
  enforce: QueryHoursEnforcement;
}

/** The period the hours are counted in: a contract year, [start, end). */
export interface UsagePeriod {
  start: Instant;
  end: Instant;
  /** "contract year 2 (2026-03-01 to 2027-02-28)", for people. */
  label: string;
}

export interface QueryHoursUsage extends QueryHourLimit {
  period: UsagePeriod;
  usedMinutes: number;
  /** Negative once over the limit. */
  leftMinutes: number;
  /** Recorded on cases of this type in the period but not counted ("nocount"). */
  notCountedMinutes: number;
  /** Every entry on cases of this type in the period, counted or not, oldest first. */
  entries: TimeEntry[];
}

/** [the brief] one notice to the DTCs and the managers at each of these fractions of the limit. */
export const NOTICE_THRESHOLDS = [0.8, 1] as const;

/**
 * The limits that apply to an organization: the Subscription's own hours when its contract names them,
 * else the policy's `queryHourLimits` (from the seed's plan tables); `enforce` "mark" unless the contract
 * says "refuse".
 */
export function queryHourLimits(policy: Policy, agreement?: Agreement | null): QueryHourLimit[] {
  const contract = agreement?.queryHours;
  const hours = { ...(policy.queryHourLimits ?? {}), ...(contract?.limits ?? {}) };
  return Object.entries(hours)
    .filter((e): e is [string, number] => typeof e[1] === "number")
    .map(([caseType, h]) => ({ caseType: caseType as CaseTypeId, hours: h, enforce: contract?.enforce ?? "mark" }));
}

export function queryHoursUsage(limit: QueryHourLimit, period: UsagePeriod, entries: readonly TimeEntry[]): QueryHoursUsage {
  const mine = entries.filter((e) => e.caseType === limit.caseType && e.at >= period.start && e.at < period.end).sort((a, b) => a.at - b.at);
  const usedMinutes = Math.max(0, mine.filter((e) => e.counts).reduce((sum, e) => sum + e.minutes, 0));
  const notCountedMinutes = mine.filter((e) => !e.counts).reduce((sum, e) => sum + e.minutes, 0);
  return { ...limit, period, usedMinutes, leftMinutes: limit.hours * 60 - usedMinutes, notCountedMinutes, entries: mine };
}

/** The thresholds the usage has reached (each is noticed once per period; the caller's key sees to "once"). */
export function thresholdsReached(usage: Pick<QueryHoursUsage, "usedMinutes" | "hours">): number[] {
  return NOTICE_THRESHOLDS.filter((t) => usage.usedMinutes >= t * usage.hours * 60);
}

export type QueryHoursVerdict = { outcome: "within" } | { outcome: "over-limit"; detail: string } | { outcome: "refuse"; detail: string };

/**
 * The intake rule for a new request: a case type with hours left (or no limit) opens as usual; with the
 * hours used up it still opens, marked over-limit, or is refused when the contract says `enforce: refuse`.
 */
export function queryHoursIntake(caseType: string, usages: readonly QueryHoursUsage[]): QueryHoursVerdict {
  const usage = usages.find((u) => u.caseType === caseType);
  if (!usage || usage.leftMinutes > 0) return { outcome: "within" };
  const detail = `the ${usage.hours}-hour Query Support Limit of your Subscription for ${usage.period.label} is used up (${formatUsed(usage.usedMinutes)} h)`;
  return usage.enforce === "refuse" ? { outcome: "refuse", detail } : { outcome: "over-limit", detail };
}

const formatUsed = (minutes: number) => String(Math.round((minutes / 60) * 100) / 100);

/** The `org usage` section: hours used and left per limited case type, with every entry of the period. */
export function formatQueryHours(usages: readonly QueryHoursUsage[]): string {
  const lines: string[] = [];
  for (const u of usages) {
    const over = u.leftMinutes <= 0 ? (u.enforce === "refuse" ? " (used up: new requests are refused)" : " (used up: new requests open marked over-limit)") : "";
    lines.push(
      `  ${u.caseType} hours:     ${u.period.label}`,
      `    limit:         ${u.hours} h`,
      `    used:          ${formatUsed(u.usedMinutes)} h (${Math.round((u.usedMinutes / (u.hours * 60)) * 100)}%)${over}`,
      `    left:          ${formatUsed(Math.max(0, u.leftMinutes))} h`,
      ...(u.notCountedMinutes ? [`    not counted:   ${formatUsed(u.notCountedMinutes)} h (nocount)`] : []),
      `    entries:`,
      ...(u.entries.length
        ? u.entries.map((e) => `      ${new Date(e.at).toISOString().slice(0, 16).replace("T", " ")}Z  #${e.caseNumber}  ${signedHours(e.minutes)} h${e.counts ? "" : " nocount"}  by ${e.actor}${e.note ? `  ${e.note}` : ""}`)
        : ["      (none)"]),
    );
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

const signedHours = (minutes: number) => (minutes > 0 ? "+" : "") + formatUsed(minutes);
