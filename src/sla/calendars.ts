/**
 * The two calendars a policy's clocks run on: its business calendar (in the customer's zone when the
 * policy follows it, as CIQ's "local time" does) and a 24x7 calendar in the same zone for wall-clock
 * coverage. Built once per (spec, zone) and cached, because building the tables is the expensive part
 * and the scheduler evaluates the same few policies over and over.
 */
import { buildCalendar } from "../calendar/calendar.js";
import type { BusinessCalendar, CalendarSpec } from "../calendar/types.js";
import type { Policy } from "../policy/types.js";
import type { Coverage } from "./engine.js";

const cache = new Map<string, BusinessCalendar>();

function cached(spec: CalendarSpec): BusinessCalendar {
  const key = JSON.stringify([spec.zone, spec.week, spec.holidays, spec.closedDates ?? []]);
  let cal = cache.get(key);
  if (!cal) {
    cal = buildCalendar(spec);
    cache.set(key, cal);
  }
  return cal;
}

/** The zone a policy's clocks use for this customer. */
export function effectiveZone(policy: Policy, customerZone?: string | null): string {
  return policy.calendar.followsCustomerZone && customerZone ? customerZone : policy.calendar.zone;
}

/** Per policy object and zone: the scheduler calls this for every case, so repeat calls are a map lookup. */
const perPolicy = new WeakMap<Policy, Map<string, (coverage: Coverage) => BusinessCalendar>>();

/**
 * `organizationClosures`: the customer's own closed days ("YYYY-MM-DD"), added to the policy's; they
 * stop business-hour clocks like holidays do (24x7 coverage ignores them).
 */
export function calendarsForPolicy(
  policy: Policy,
  customerZone?: string | null,
  organizationClosures: readonly string[] = [],
): (coverage: Coverage) => BusinessCalendar {
  const zone = effectiveZone(policy, customerZone);
  let byZone = perPolicy.get(policy);
  if (!byZone) perPolicy.set(policy, (byZone = new Map()));
  const key = organizationClosures.length ? `${zone}|${organizationClosures.join(",")}` : zone;
  let pick = byZone.get(key);
  if (!pick) {
    const { week, holidays } = policy.calendar;
    const closedDates = [...(policy.calendar.closedDates ?? []), ...organizationClosures];
    const business = cached({ zone, week, holidays, ...(closedDates.length ? { closedDates } : {}) });
    const always = cached({ zone, week: "24x7", holidays: [] });
    pick = (coverage) => (coverage === "24x7" ? always : business);
    byZone.set(key, pick);
  }
  return pick;
}
