/**
 * The period query hours are counted in: [003] "the maximum allowed utilization within a Subscription term".
 * We count per contract year of the organization's contract term (src/entitlements/term.ts: anniversary to
 * anniversary of the start), the term a Subscription Order Form renews on; an organization without a
 * recorded start counts its years from the day it was added. Pure.
 */
import { DateTime } from "luxon";
import type { Instant } from "../calendar/types.js";
import type { UsagePeriod } from "./query-hours.js";
import { contractYearAt } from "./term.js";

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
  const year = contractYearAt(term, at, org.zone);
  const counted = org.contractStart ? "" : ", counted from the day the organization was added";
  if (year) return { start: year.start, end: year.end, label: `contract year ${year.number} (${year.firstDay} to ${year.lastDay}${counted})` };
  return yearBefore(term.start, at, org.zone);
}

/** An instant before the anchor day (time recorded before the term, or a clock set back): whole years before it. */
function yearBefore(startDay: string, at: Instant, zone: string): UsagePeriod {
  const first = DateTime.fromISO(startDay, { zone }).startOf("day");
  let k = 1;
  while (first.minus({ years: k }).toMillis() > at) k++;
  const from = first.minus({ years: k });
  const to = first.minus({ years: k - 1 });
  return { start: from.toMillis(), end: to.toMillis(), label: `the year ${from.toISODate()} to ${to.minus({ days: 1 }).toISODate()}, before the contract` };
}
