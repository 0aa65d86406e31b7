/**
 * Validates a CalendarSpec and turns it into numbers the table builder uses:
 * a luxon Zone, per-weekday open intervals in minutes after local midnight, and closed civil days.
 */
import { FixedOffsetZone, IANAZone, type Zone } from "luxon";
import { ValidationError } from "../errors.js";
import type { CalendarSpec, Weekday } from "./types.js";
import { isHolidaySetName, HOLIDAY_SETS } from "./holidays.js";
import { parseIsoDate } from "./civil.js";

/** luxon weekday numbering: 1 = Monday … 7 = Sunday. */
export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export interface ParsedSpec {
  zone: Zone;
  always: boolean;
  /** Index 0 = Monday; each a sorted, merged list of [fromMinute, toMinute) pairs. */
  week: Array<Array<[number, number]>>;
  holidaySets: string[];
  closedDays: Set<number>;
  /** Open minutes per day when every open weekday has the same nominal length, else undefined. */
  uniformDayMinutes: number | undefined;
}

const SOURCE = "calendar spec";
type Issue = { path: string; message: string };

/** "UTC-3", "GMT+05:30", "UTC+0530", "UTC" → fixed offset; anything else must be an IANA zone. */
export function parseZone(text: string): Zone | undefined {
  const fixed = /^(?:UTC|GMT)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/i.exec(text.trim());
  if (fixed) {
    const sign = fixed[1] === "-" ? -1 : 1;
    const hours = Number(fixed[2] ?? 0);
    const minutes = Number(fixed[3] ?? 0);
    if (hours > 14 || minutes > 59) return undefined;
    return FixedOffsetZone.instance(sign * (hours * 60 + minutes));
  }
  const zone = IANAZone.create(text);
  return zone.isValid ? zone : undefined;
}

function parseClock(text: string, allow24: boolean): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0 && allow24) return 24 * 60;
  if (h > 23 || min > 59) return undefined;
  return h * 60 + min;
}

function parseDay(intervals: unknown, path: string, issues: Issue[]): Array<[number, number]> {
  if (!Array.isArray(intervals)) {
    issues.push({ path, message: 'expected a list of { from: "HH:MM", to: "HH:MM" }' });
    return [];
  }
  const pairs: Array<[number, number]> = [];
  intervals.forEach((iv: { from?: unknown; to?: unknown }, i) => {
    const from = typeof iv?.from === "string" ? parseClock(iv.from, false) : undefined;
    const to = typeof iv?.to === "string" ? parseClock(iv.to, true) : undefined;
    if (from === undefined) issues.push({ path: `${path}[${i}].from`, message: 'expected "HH:MM" between 00:00 and 23:59' });
    if (to === undefined) issues.push({ path: `${path}[${i}].to`, message: 'expected "HH:MM" between 00:01 and 24:00' });
    if (from === undefined || to === undefined) return;
    if (to <= from) issues.push({ path: `${path}[${i}]`, message: `"to" (${String(iv.to)}) must be after "from" (${String(iv.from)})` });
    else pairs.push([from, to]);
  });
  // Overlapping or touching intervals of one day are merged: the open time is their union.
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const p of pairs) {
    const last = merged.at(-1);
    if (last && p[0] <= last[1]) last[1] = Math.max(last[1], p[1]);
    else merged.push([p[0], p[1]]);
  }
  return merged;
}

function uniformLength(week: Array<Array<[number, number]>>): number | undefined {
  const lengths = new Set(week.map((d) => d.reduce((s, [a, b]) => s + b - a, 0)).filter((l) => l > 0));
  return lengths.size === 1 ? [...lengths][0] : undefined;
}

export function parseSpec(spec: CalendarSpec): ParsedSpec {
  const issues: Issue[] = [];
  const zone = typeof spec.zone === "string" ? parseZone(spec.zone) : undefined;
  if (!zone) issues.push({ path: "zone", message: `"${String(spec.zone)}" is neither an IANA zone (America/New_York) nor a fixed offset (UTC-3)` });
  const always = spec.week === "24x7";
  const week: Array<Array<[number, number]>> = WEEKDAYS.map(() => []);
  if (!always) {
    if (typeof spec.week !== "object" || spec.week === null) {
      issues.push({ path: "week", message: 'expected "24x7" or open intervals per weekday (mon…sun)' });
    } else {
      for (const key of Object.keys(spec.week)) {
        const idx = WEEKDAYS.indexOf(key as Weekday);
        if (idx < 0) issues.push({ path: `week.${key}`, message: `unknown weekday; use ${WEEKDAYS.join(", ")}` });
        else week[idx] = parseDay(spec.week[key as Weekday], `week.${key}`, issues);
      }
      if (issues.length === 0 && week.every((d) => d.length === 0)) issues.push({ path: "week", message: "no open hours on any weekday" });
    }
  }
  const holidaySets = Array.isArray(spec.holidays) ? spec.holidays : [];
  if (!Array.isArray(spec.holidays)) issues.push({ path: "holidays", message: "expected a list of holiday set names" });
  holidaySets.forEach((h, i) => {
    if (!isHolidaySetName(h)) issues.push({ path: `holidays[${i}]`, message: `unknown holiday set "${h}"; known: ${HOLIDAY_SETS.join(", ")}` });
  });
  const closedDays = new Set<number>();
  (spec.closedDates ?? []).forEach((d, i) => {
    const days = typeof d === "string" ? parseIsoDate(d) : undefined;
    if (days === undefined) issues.push({ path: `closedDates[${i}]`, message: `"${String(d)}" is not a YYYY-MM-DD date` });
    else closedDays.add(days);
  });
  if (issues.length > 0 || !zone) throw new ValidationError(SOURCE, issues);
  return { zone, always, week, holidaySets, closedDays, uniformDayMinutes: always ? 24 * 60 : uniformLength(week) };
}
