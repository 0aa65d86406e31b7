/**
 * Holiday sets computed by rule for any year (no typed-in lists).
 * - us-federal-reserve: days Federal Reserve banks are closed. A holiday on Sunday is observed on
 *   Monday; one on Saturday is NOT moved (banks open the Friday before), so it is listed on its Saturday.
 * - us-federal: federal holidays as observed by the U.S. government (5 U.S.C. 6103 / OPM):
 *   Saturday moves to Friday, Sunday to Monday. New Year's Day on a Saturday is therefore observed on
 *   Friday 31 December of the previous year, and is listed under that previous year.
 * Pure calendar arithmetic on civil dates; no time zones involved.
 */
import { AppError } from "../errors.js";
import { civilFromDays, daysFromCivil, isoDate, weekdayOfDays } from "./civil.js";

export const HOLIDAY_SETS = ["us-federal-reserve", "us-federal"] as const;
export type HolidaySetName = (typeof HOLIDAY_SETS)[number];

export interface Holiday {
  date: string; // "YYYY-MM-DD"
  name: string;
}

interface RuleDate {
  name: string;
  days: number; // days since 1970-01-01 of the actual (unobserved) date
}

/** n-th (1-based) given weekday (0 = Sunday) of a month, as days since epoch. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = daysFromCivil(year, month, 1);
  const shift = (weekday - weekdayOfDays(first) + 7) % 7;
  return first + shift + (n - 1) * 7;
}

function lastWeekday(year: number, month: number, weekday: number): number {
  const nextMonthFirst = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
  const last = nextMonthFirst - 1;
  return last - ((weekdayOfDays(last) - weekday + 7) % 7);
}

/** The holidays both sets share, on their nominal dates. */
function ruleDates(year: number, juneteenthFrom: number): RuleDate[] {
  const MON = 1;
  const THU = 4;
  const out: RuleDate[] = [{ name: "New Year's Day", days: daysFromCivil(year, 1, 1) }];
  // Birthday of Martin Luther King, Jr. is a holiday since 1986.
  if (year >= 1986) out.push({ name: "Birthday of Martin Luther King, Jr.", days: nthWeekday(year, 1, MON, 3) });
  out.push(
    { name: "Washington's Birthday", days: nthWeekday(year, 2, MON, 3) },
    { name: "Memorial Day", days: lastWeekday(year, 5, MON) },
  );
  if (year >= juneteenthFrom) out.push({ name: "Juneteenth National Independence Day", days: daysFromCivil(year, 6, 19) });
  out.push(
    { name: "Independence Day", days: daysFromCivil(year, 7, 4) },
    { name: "Labor Day", days: nthWeekday(year, 9, MON, 1) },
    { name: "Columbus Day", days: nthWeekday(year, 10, MON, 2) },
    { name: "Veterans Day", days: daysFromCivil(year, 11, 11) },
    { name: "Thanksgiving Day", days: nthWeekday(year, 11, THU, 4) },
    { name: "Christmas Day", days: daysFromCivil(year, 12, 25) },
  );
  return out;
}

function observe(rule: RuleDate, saturdayToFriday: boolean): RuleDate {
  const wd = weekdayOfDays(rule.days);
  if (wd === 0) return { name: `${rule.name} (observed)`, days: rule.days + 1 };
  if (wd === 6 && saturdayToFriday) return { name: `${rule.name} (observed)`, days: rule.days - 1 };
  return rule;
}

export function isHolidaySetName(name: string): name is HolidaySetName {
  return (HOLIDAY_SETS as readonly string[]).includes(name);
}

/** Holidays of `set` whose observed date falls in `year`, sorted by date. */
export function holidays(set: string, year: number): Holiday[] {
  if (!isHolidaySetName(set)) {
    throw new AppError(
      "E_HOLIDAY_SET",
      `unknown holiday set "${set}"; known sets: ${HOLIDAY_SETS.join(", ")}`,
      { set },
    );
  }
  if (!Number.isInteger(year) || year < 1900 || year > 9999) {
    throw new AppError("E_HOLIDAY_YEAR", `holiday year must be an integer between 1900 and 9999, got ${year}`);
  }
  const federal = set === "us-federal";
  const juneteenthFrom = federal ? 2021 : 2022;
  // Rules of the next year too: its New Year's Day may be observed on 31 December of this year.
  const candidates = [...ruleDates(year, juneteenthFrom), ...ruleDates(year + 1, juneteenthFrom)];
  return candidates
    .map((r) => observe(r, federal))
    .filter((r) => civilFromDays(r.days).year === year)
    .sort((a, b) => a.days - b.days)
    .map((r) => ({ date: isoDate(r.days), name: r.name }));
}
