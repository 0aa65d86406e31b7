/**
 * One SLA clock on a business calendar: due time and time remaining when some intervals are not counted
 * (waiting on the customer, a resolved spell before a reopen). Paused time is simply not open time for
 * this clock, so the due time moves later by exactly the open time the pauses covered.
 */
import type { BusinessCalendar, BusinessDuration, Instant } from "../calendar/types.js";
import type { Interval } from "./history.js";

const NONE: Interval[] = [];

/** Pauses that matter to a clock that started at `start` and ran until `end`: clipped, sorted, closed. */
export function clipPauses(pauses: Interval[], start: Instant, end: Instant): Interval[] {
  if (pauses.length === 0) return NONE;
  const out: Interval[] = [];
  for (const p of pauses) {
    const from = Math.max(p.from, start);
    const to = Math.min(p.to ?? end, end);
    if (to > from) out.push({ from, to });
  }
  return out.sort((a, b) => a.from - b.from);
}

/**
 * The instant at which `target` of counted time has elapsed since `start`. Each pause that begins
 * before the (moving) due time pushes it later by the open time the pause covered.
 */
export function dueAfter(cal: BusinessCalendar, start: Instant, target: BusinessDuration, pauses: Interval[]): Instant {
  let due = cal.add(start, target);
  for (const p of pauses) {
    if (p.from >= due) break;
    const lost = cal.between(p.from, p.to ?? p.from);
    if (lost > 0) due = cal.add(due, { unit: "minutes", amount: lost / 60_000 });
  }
  return due;
}

/** Open time of the target itself, in ms (a business day becomes that day's open hours). */
export function targetMs(cal: BusinessCalendar, start: Instant, target: BusinessDuration): number {
  return cal.between(start, cal.add(start, target));
}

/** Counted time from `at` to `due`: positive before the due time, negative once overdue. */
export function signedRemaining(cal: BusinessCalendar, at: Instant, due: Instant): number {
  return at <= due ? cal.between(at, due) : -cal.between(due, at);
}

/** True when `t` falls inside one of the (clipped) pauses, or a pause is still going on at `t`. */
export function pausedAt(pauses: Interval[], t: Instant): boolean {
  return pauses.some((p) => p.from <= t && (p.to === null || t < p.to));
}
