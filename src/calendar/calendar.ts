/**
 * A business calendar answered from epoch-millisecond tables: queries are arithmetic plus binary
 * search over the open intervals; luxon runs only when the tables are (re)built.
 *
 * Model: O(t) is the open time elapsed from the table's start until t (an odometer that only runs
 * while the desk is open). between(a, b) = O(b) − O(a); add finds the earliest t with O(t) = target,
 * so a due time landing exactly on a close is that close, not the next opening.
 */
import { AppError } from "../errors.js";
import type { BusinessCalendar, BusinessDuration, CalendarSpec, Instant } from "./types.js";
import { parseSpec, type ParsedSpec } from "./spec.js";
import { buildTable, yearOf, type OpenTable } from "./table.js";
import { Always24x7 } from "./always.js";

const MINUTE = 60_000;
/** Tables never grow beyond these years; a query outside them is almost certainly a bad input. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2300;

/** First index i in [lo, hi) with arr[i] > x, or hi. */
function upper(arr: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First index i in [lo, hi) with arr[i] >= x, or hi. */
function lower(arr: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkInstant(t: Instant, what: string): void {
  if (!Number.isFinite(t)) throw new AppError("E_CALENDAR_INSTANT", `${what} must be finite epoch milliseconds, got ${t}`);
}

export function durationMs(d: BusinessDuration, dayMs: number): number {
  if (!Number.isFinite(d.amount) || d.amount < 0) {
    throw new AppError("E_CALENDAR_DURATION", `duration amount must be a non-negative number, got ${d.amount} ${d.unit}`);
  }
  return Math.round(d.amount * (d.unit === "minutes" ? MINUTE : dayMs));
}

class TableCalendar implements BusinessCalendar {
  private t: OpenTable | undefined;
  private readonly dayMs: number | undefined;

  constructor(readonly spec: CalendarSpec, private readonly parsed: ParsedSpec, range?: { fromYear: number; toYear: number }) {
    this.dayMs = parsed.uniformDayMinutes === undefined ? undefined : parsed.uniformDayMinutes * MINUTE;
    if (range) this.t = buildTable(parsed, range.fromYear, range.toYear);
  }

  /** The current table, rebuilt wider when `at` lies outside it. */
  private covering(at: number): OpenTable {
    const t = this.t;
    if (t && at >= t.lo && at < t.hi) return t;
    const y = yearOf(this.parsed.zone, at);
    if (!t) return this.rebuild(y - 1, y + 1);
    const span = t.toYear - t.fromYear + 1;
    return at < t.lo ? this.rebuild(Math.min(y, t.fromYear - span), t.toYear) : this.rebuild(t.fromYear, Math.max(y, t.toYear + span));
  }

  /** Doubles the table forward: the query needs open time beyond its end. */
  private growForward(t: OpenTable): OpenTable {
    return this.rebuild(t.fromYear, t.toYear + (t.toYear - t.fromYear + 1));
  }

  private rebuild(fromYear: number, toYear: number): OpenTable {
    if (fromYear < MIN_YEAR || toYear > MAX_YEAR) {
      throw new AppError("E_CALENDAR_RANGE", `business calendar queried outside ${MIN_YEAR}–${MAX_YEAR} (years ${fromYear}–${toYear}); check the instant or the duration`);
    }
    this.t = buildTable(this.parsed, fromYear, toYear);
    return this.t;
  }

  isOpen(at: Instant): boolean {
    checkInstant(at, "instant");
    const t = this.covering(at);
    const i = upper(t.ends, at, 0, t.n);
    return i < t.n && (t.starts[i] as number) <= at;
  }

  nextOpening(at: Instant): Instant {
    checkInstant(at, "instant");
    for (let t = this.covering(at); ; t = this.growForward(t)) {
      const i = upper(t.ends, at, 0, t.n);
      if (i < t.n) return Math.max(at, t.starts[i] as number);
    }
  }

  /** Open ms from the table start to `at` (at must be covered). */
  private odometer(t: OpenTable, at: number): number {
    const i = upper(t.ends, at, 0, t.n);
    if (i === t.n) return t.cum[t.n] as number;
    return (t.cum[i] as number) + Math.max(0, at - (t.starts[i] as number));
  }

  between(a: Instant, b: Instant): number {
    checkInstant(a, "start");
    checkInstant(b, "end");
    if (b <= a) return 0;
    this.covering(a);
    const t = this.covering(b); // widening for b keeps a covered
    return this.odometer(t, b) - this.odometer(t, a);
  }

  /**
   * Business days: when every open weekday has the same nominal length L (all seed calendars),
   * N days is N×L of open time from the clock start, so days and minutes compose exactly. Otherwise
   * N days lands at the same offset into the Nth following open day, clamped to its close (dayTarget).
   */
  add(start: Instant, duration: BusinessDuration): Instant {
    checkInstant(start, "start");
    const wantDays = duration.unit === "days";
    const ms = durationMs(duration, this.dayMs ?? 0);
    if (duration.amount === 0) return this.nextOpening(start);
    if (wantDays && this.dayMs === undefined && !Number.isInteger(duration.amount)) {
      throw new AppError("E_CALENDAR_DURATION", `this calendar's open days differ in length, so business days must be whole, got ${duration.amount}`);
    }
    for (let t = this.covering(start); ; t = this.growForward(t)) {
      const i = upper(t.ends, start, 0, t.n);
      if (i === t.n) continue; // no opening left in the table
      const s = Math.max(start, t.starts[i] as number); // the clock starts at the next opening
      const o = (t.cum[i] as number) + s - (t.starts[i] as number);
      const target = wantDays && this.dayMs === undefined ? this.dayTarget(t, o, duration.amount) : o + ms;
      if (target > (t.cum[t.n] as number)) continue;
      const j = lower(t.cum, target, i + 1, t.n + 1) - 1; // interval whose end reaches the target
      return (t.starts[j] as number) + target - (t.cum[j] as number);
    }
  }

  /**
   * Business days on a calendar whose open days differ in length (e.g. Mon–Thu 9h, Fri 6h):
   * N days later is the same open-time offset into the Nth following open day, clamped to that
   * day's close. Returns Infinity when that day is past the table, so the caller grows it.
   */
  private dayTarget(t: OpenTable, o: number, n: number): number {
    const k = upper(t.dayCum, o, 0, t.nDays) - 1;
    const target = k + n;
    if (target >= t.nDays) return Infinity;
    const offset = o - (t.dayCum[k] as number);
    return (t.dayCum[target] as number) + Math.min(offset, t.dayLen[target] as number);
  }
}

/**
 * Builds a business calendar. With `fromYear`/`toYear` the tables are built at once for that range;
 * without, they are built around the first query's year. Either way they grow when a query leaves them.
 */
export function buildCalendar(spec: CalendarSpec, opts?: { fromYear?: number; toYear?: number }): BusinessCalendar {
  const parsed = parseSpec(spec);
  if (parsed.always) return new Always24x7(spec);
  if (opts?.fromYear === undefined && opts?.toYear === undefined) return new TableCalendar(spec, parsed);
  const fromYear = opts.fromYear ?? opts.toYear ?? 0;
  const toYear = opts.toYear ?? fromYear;
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear || fromYear < MIN_YEAR || toYear > MAX_YEAR) {
    throw new AppError("E_CALENDAR_RANGE", `calendar years must be whole, ${MIN_YEAR}–${MAX_YEAR}, fromYear ≤ toYear; got ${fromYear}–${toYear}`);
  }
  return new TableCalendar(spec, parsed, { fromYear, toYear });
}
