/**
 * Calendar-day arithmetic the digest needs: the manager's local day, the instant a local time of day
 * is reached, and the end of the next business day of a business calendar. Pure.
 */
import { DateTime } from "luxon";
import type { BusinessCalendar, Instant } from "../calendar/types.js";
import { AppError } from "../errors.js";

function inZone(t: Instant, zone: string): DateTime {
  const dt = DateTime.fromMillis(t, { zone });
  if (!dt.isValid) throw new AppError("E_ZONE", `unknown time zone "${zone}" (use an IANA name such as America/New_York)`);
  return dt;
}

/** "YYYY-MM-DD" of `t` in `zone`. */
export function localDay(t: Instant, zone: string): string {
  return inZone(t, zone).toISODate()!;
}

/** The instant `day` ("YYYY-MM-DD") reaches `time` ("HH:MM") in `zone` (the next valid instant across a DST gap). */
export function instantAt(day: string, time: string, zone: string): Instant {
  const [h, m] = time.split(":").map(Number);
  const dt = DateTime.fromISO(day, { zone }).set({ hour: h, minute: m });
  if (!dt.isValid) throw new AppError("E_USAGE", `not a date: "${day}" (expected YYYY-MM-DD)`);
  return dt.toMillis();
}

/**
 * The close of the first business day after today (today in the calendar's own zone): on a Monday,
 * Tuesday's close; on a Friday or Saturday, Monday's (Tuesday's after a Monday holiday). A day's close
 * is where its open time runs out, so split days (lunch breaks) end at their last close.
 */
export function endOfNextBusinessDay(cal: BusinessCalendar, now: Instant): Instant {
  const zone = cal.spec.zone;
  const tomorrow = inZone(now, zone).startOf("day").plus({ days: 1 });
  const opening = cal.nextOpening(tomorrow.toMillis());
  const dayStart = inZone(opening, zone).startOf("day");
  const open = cal.between(dayStart.toMillis(), dayStart.plus({ days: 1 }).toMillis());
  return cal.add(dayStart.toMillis(), { unit: "minutes", amount: open / 60_000 });
}
