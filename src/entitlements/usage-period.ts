/**
 * The period query hours are counted in: [003] "the maximum allowed utilization within a Subscription term".
 * We count per contract year of the organization's contract term (src/entitlements/term.ts: anniversary to
 * anniversary of the start), the term a Subscription Order Form renews on; an organization without a
 * recorded start counts its years from the day it was added. Pure.
 */
import { DateTime } from "luxon";
import type { Instant } from "../calendar/types.js";
import type { UsagePeriod } from "./query-hours.js";
import { contractYear, contractYearAt } from "./term.js";

export interface PeriodSource {
  contractStart: string | null;
  /** When the organization was added: the anchor when no contract start is recorded. */
  createdAt: Instant;
  /** The zone its days are counted in. */
  zone: string;
}

export function usagePeriodAt(org: PeriodSource, at: Instant): UsagePeriod {
  const start = org.contractStart ?? DateTime.fromMillis(org.createdAt, { zone: org.zone }).toISODate()!;
  const term = { start, end: null };
  // Before the term starts, time counts toward its first year (nothing is recorded before it in practice).
  const year = contractYearAt(term, at, org.zone) ?? contractYear(term, 1, org.zone);
  const counted = org.contractStart ? "" : ", counted from the day the organization was added";
  return { start: year.start, end: year.end, label: `contract year ${year.number} (${year.firstDay} to ${year.lastDay}${counted})` };
}
