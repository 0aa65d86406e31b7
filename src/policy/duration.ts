/**
 * Durations as the seeds word them ("4 business hours", "1 Business Day", "30 minutes", "1 Business Week")
 * turned into a BusinessDuration. Hours and minutes count on the service level's coverage (open time of the
 * business calendar, or wall-clock time for 24x7); days and weeks are whole business days.
 */
import type { BusinessDuration } from "../calendar/types.js";

export type ParsedDuration =
  | { ok: true; duration: BusinessDuration; /** the text said "business" */ business: boolean }
  | { ok: false; message: string };

const PATTERN = /^(\d+(?:\.\d+)?)\s+(business\s+)?(minutes?|mins?|hours?|hrs?|days?|weeks?)$/i;

/** One business week is five business days (Konneqt: "'Business Week' means five consecutive Business Days"). */
const DAYS_PER_WEEK = 5;

export function parseDuration(text: string): ParsedDuration {
  const normal = text.trim().replace(/\s+/g, " ");
  const m = PATTERN.exec(normal);
  if (!m) {
    return {
      ok: false,
      message: `cannot read duration "${text}": write e.g. "30 minutes", "4 hours", "4 business hours", "1 business day", "1 business week", or "none"`,
    };
  }
  const amount = Number(m[1]);
  const business = m[2] !== undefined;
  const unit = m[3]!.toLowerCase();
  if (!(amount > 0)) return { ok: false, message: `duration "${text}" must be greater than zero` };

  if (unit.startsWith("min") || unit.startsWith("h")) {
    const minutes = unit.startsWith("h") ? amount * 60 : amount;
    if (!Number.isInteger(minutes)) return { ok: false, message: `duration "${text}" is not a whole number of minutes` };
    return { ok: true, duration: { unit: "minutes", amount: minutes }, business };
  }
  // Plain "2 days" is ambiguous (calendar days or business days?); the seeds always say "Business Day(s)".
  if (!business) {
    return { ok: false, message: `duration "${text}" is ambiguous: write "${m[1]} business ${unit}" or a number of hours` };
  }
  const days = unit.startsWith("week") ? amount * DAYS_PER_WEEK : amount;
  if (!Number.isInteger(days)) return { ok: false, message: `duration "${text}" is not a whole number of business days` };
  return { ok: true, duration: { unit: "days", amount: days }, business };
}
