/**
 * The period query hours are counted in: [003] "the maximum allowed utilization within a Subscription term".
 * We count per contract year (anniversary to anniversary of the contract start), the term a Subscription
 * Order Form renews on; an organization without a recorded start counts from the day it was added. Pure.
 */
import { DateTime } from "luxon";
import type { Instant } from "../calendar/types.js";
import type { UsagePeriod } from "./query-hours.js";

export interface PeriodSource {
  contractStart: string | null;
  /** When the organization was added: the anchor when no contract start is recorded. */
  createdAt: Instant;
  /** The zone its days are counted in. */
  zone: string;
}

export function usagePeriodAt(org: PeriodSource, at: Instant): UsagePeriod {
  const anchor = org.contractStart ? DateTime.fromISO(org.contractStart, { zone: org.zone }) : DateTime.fromMillis(org.createdAt, { zone: org.zone });
  const first = anchor.startOf("day");
  const local = DateTime.fromMillis(at, { zone: org.zone });
  let n = Math.max(0, Math.floor(local.diff(first, "years").years));
  while (n > 0 && first.plus({ years: n }).toMillis() > at) n--;
  while (first.plus({ years: n + 1 }).toMillis() <= at) n++;
  const from = first.plus({ years: n });
  const to = first.plus({ years: n + 1 });
  const since = org.contractStart ? "contract" : "since the organization was added";
  return {
    start: from.toMillis(),
    end: to.toMillis(),
    label: `contract year ${n + 1} (${from.toISODate()} to ${to.minus({ days: 1 }).toISODate()}${org.contractStart ? "" : `, counted ${since}`})`,
  };
}
