/**
 * Builds a calendar's open intervals over a range of years as sorted epoch-millisecond tables.
 * luxon is used here only: each interval is placed from its local wall-clock times on its own date,
 * so an 08:00–18:00 day is 10 hours of open time even on a DST night.
 */
import { DateTime, type Zone } from "luxon";
import { daysFromCivil, civilFromDays, weekdayOfDays } from "./civil.js";
import { holidays } from "./holidays.js";
import type { ParsedSpec } from "./spec.js";

export interface OpenTable {
  fromYear: number;
  toYear: number;
  /** Covered instants: [lo, hi) = local midnight 1 Jan fromYear … local midnight 1 Jan toYear+1. */
  lo: number;
  hi: number;
  /** Disjoint, non-touching, sorted open intervals [starts[i], ends[i]). */
  n: number;
  starts: Float64Array;
  ends: Float64Array;
  /** cum[i] = open ms before interval i; cum[n] = total open ms of the table. */
  cum: Float64Array;
  /** Per open local date: open ms before that date, and its open ms. */
  nDays: number;
  dayCum: Float64Array;
  dayLen: Float64Array;
}

function localEpoch(zone: Zone, days: number, minute: number): number {
  // "24:00" is the next date's midnight, which may itself be a DST-shifted instant.
  const d = civilFromDays(days + Math.floor(minute / 1440));
  const m = minute % 1440;
  return DateTime.fromObject(
    { year: d.year, month: d.month, day: d.day, hour: Math.floor(m / 60), minute: m % 60 },
    { zone },
  ).toMillis();
}

function closedDays(spec: ParsedSpec, fromYear: number, toYear: number): Set<number> {
  const closed = new Set(spec.closedDays);
  for (const set of spec.holidaySets) {
    for (let y = fromYear; y <= toYear; y++) {
      for (const h of holidays(set, y)) {
        const [yy, mm, dd] = h.date.split("-").map(Number) as [number, number, number];
        closed.add(daysFromCivil(yy, mm, dd));
      }
    }
  }
  return closed;
}

export function buildTable(spec: ParsedSpec, fromYear: number, toYear: number): OpenTable {
  const firstDay = daysFromCivil(fromYear, 1, 1);
  const endDay = daysFromCivil(toYear + 1, 1, 1);
  const closed = closedDays(spec, fromYear, toYear);
  const starts: number[] = [];
  const ends: number[] = [];
  const dayCum: number[] = [];
  const dayLen: number[] = [];
  let total = 0;
  for (let day = firstDay; day < endDay; day++) {
    const intervals = spec.week[(weekdayOfDays(day) + 6) % 7] ?? [];
    if (intervals.length === 0 || closed.has(day)) continue;
    const before = total;
    for (const [fromMin, toMin] of intervals) {
      const lastEnd = ends.length > 0 ? (ends[ends.length - 1] as number) : -Infinity;
      // A non-existent local time (spring forward) can make an interval empty or touch the previous one.
      const start = Math.max(localEpoch(spec.zone, day, fromMin), lastEnd);
      const end = localEpoch(spec.zone, day, toMin);
      if (end <= start) continue;
      if (start === lastEnd) ends[ends.length - 1] = end; // e.g. "24:00" followed by next day's "00:00"
      else {
        starts.push(start);
        ends.push(end);
      }
      total += end - start;
    }
    if (total > before) {
      dayCum.push(before);
      dayLen.push(total - before);
    }
  }
  const cum = new Float64Array(starts.length + 1);
  for (let i = 0; i < starts.length; i++) cum[i + 1] = (cum[i] as number) + (ends[i] as number) - (starts[i] as number);
  return {
    fromYear,
    toYear,
    lo: localEpoch(spec.zone, firstDay, 0),
    hi: localEpoch(spec.zone, endDay, 0),
    n: starts.length,
    starts: Float64Array.from(starts),
    ends: Float64Array.from(ends),
    cum,
    nDays: dayCum.length,
    dayCum: Float64Array.from(dayCum),
    dayLen: Float64Array.from(dayLen),
  };
}

/** Year of an instant in the calendar's zone (used only when a query leaves the table). */
export function yearOf(zone: Zone, t: number): number {
  return DateTime.fromMillis(t, { zone }).year;
}
