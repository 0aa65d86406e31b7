/**
 * The 24x7 calendar: always open, holidays and closed dates do not apply (coverage is continuous).
 * Minutes are real elapsed minutes, so a DST night's local day has 23 or 25 hours of coverage.
 * One business day on 24x7 is 24 elapsed hours (not "same local time tomorrow"), which keeps
 * add(a) then add(b) equal to add(a + b) and between(s, add(s, d)) equal to d.
 */
import { AppError } from "../errors.js";
import type { BusinessCalendar, BusinessDuration, CalendarSpec, Instant } from "./types.js";

const DAY = 24 * 60 * 60_000;

function check(t: Instant, what: string): void {
  if (!Number.isFinite(t)) throw new AppError("E_CALENDAR_INSTANT", `${what} must be finite epoch milliseconds, got ${t}`);
}

export class Always24x7 implements BusinessCalendar {
  constructor(readonly spec: CalendarSpec) {}

  add(start: Instant, duration: BusinessDuration): Instant {
    check(start, "start");
    if (!Number.isFinite(duration.amount) || duration.amount < 0) {
      throw new AppError("E_CALENDAR_DURATION", `duration amount must be a non-negative number, got ${duration.amount} ${duration.unit}`);
    }
    return start + Math.round(duration.amount * (duration.unit === "minutes" ? 60_000 : DAY));
  }

  between(a: Instant, b: Instant): number {
    check(a, "start");
    check(b, "end");
    return b > a ? b - a : 0;
  }

  isOpen(t: Instant): boolean {
    check(t, "instant");
    return true;
  }

  nextOpening(t: Instant): Instant {
    check(t, "instant");
    return t;
  }
}
