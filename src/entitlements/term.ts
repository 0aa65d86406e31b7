/**
 * An organization's contract term: the days its support agreement runs and the contract years counted from
 * its start (anniversaries of the start day). Pure: dates and instants in, answers out; days are civil days
 * in the organization's calendar zone, so a contract that starts on 1 March starts at local midnight there.
 *
 * The end day is the last day of the agreement (inclusive): "ended on 2026-02-28" means support ran through
 * that day and stops at the next local midnight.
 */
import { DateTime } from "luxon";
import { parseIsoDate } from "../calendar/civil.js";
import { parseZone } from "../calendar/spec.js";
import type { Instant } from "../calendar/types.js";
import { AppError } from "../errors.js";

export interface ContractTerm {
  /** First day, "YYYY-MM-DD". */
  start: string;
  /** Last day, "YYYY-MM-DD"; null: open-ended. */
  end: string | null;
}

export type TermState = "active" | "not-started" | "ended";

/** Contract year `number` (1 = the first) as [start, end) instants and the civil days that bound it. */
export interface ContractYear {
  number: number;
  start: Instant;
  end: Instant;
  /** First day of the year, "YYYY-MM-DD". */
  firstDay: string;
  /** Last day of the year (the day before the next anniversary), "YYYY-MM-DD". */
  lastDay: string;
}

/** The term from an organization's two columns; null when no start is recorded (no term: always active). */
export function termOf(row: { contractStart: string | null; contractEnd: string | null }): ContractTerm | null {
  return row.contractStart ? { start: row.contractStart, end: row.contractEnd } : null;
}

/** Problems with a term as a user wrote it: not real dates, or an end not after the start. */
export function termIssues(start: string | null, end: string | null): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const s = start === null ? undefined : parseIsoDate(start);
  const e = end === null ? undefined : parseIsoDate(end);
  if (start !== null && s === undefined) issues.push({ path: "start", message: `"${start}" is not a real date written YYYY-MM-DD` });
  if (end !== null && e === undefined) issues.push({ path: "end", message: `"${end}" is not a real date written YYYY-MM-DD` });
  if (start === null && end !== null) issues.push({ path: "start", message: "a contract with an end needs a start" });
  if (s !== undefined && e !== undefined && e <= s) issues.push({ path: "end", message: `the end (${end}) must be after the start (${start})` });
  return issues;
}

function midnight(day: string, zone: string): DateTime {
  const z = parseZone(zone);
  if (!z) throw new AppError("E_INVALID", `unknown time zone "${zone}" for a contract term`);
  const dt = DateTime.fromISO(day, { zone: z });
  if (!dt.isValid) throw new AppError("E_INVALID", `"${day}" is not a real date written YYYY-MM-DD`);
  return dt.startOf("day");
}

/** The instant the term starts and the instant it stops (null: open-ended). */
export function termBounds(term: ContractTerm, zone: string): { start: Instant; stop: Instant | null } {
  const start = midnight(term.start, zone).toMillis();
  const stop = term.end === null ? null : midnight(term.end, zone).plus({ days: 1 }).toMillis();
  return { start, stop };
}

export function termState(term: ContractTerm | null, at: Instant, zone: string): TermState {
  if (!term) return "active";
  const { start, stop } = termBounds(term, zone);
  if (at < start) return "not-started";
  if (stop !== null && at >= stop) return "ended";
  return "active";
}

export function isTermActive(term: ContractTerm | null, at: Instant, zone: string): boolean {
  return termState(term, at, zone) === "active";
}

/** Contract year `number` (1-based): from the (number-1)th anniversary of the start to the next. */
export function contractYear(term: ContractTerm, number: number, zone: string): ContractYear {
  if (!Number.isInteger(number) || number < 1) throw new AppError("E_INVALID", `contract year must be 1 or more, not ${number}`);
  const first = midnight(term.start, zone);
  // luxon clamps 29 February to 28 February in a common year: the anniversary of a leap-day start.
  const from = first.plus({ years: number - 1 });
  const to = first.plus({ years: number });
  return { number, start: from.toMillis(), end: to.toMillis(), firstDay: from.toISODate()!, lastDay: to.minus({ days: 1 }).toISODate()! };
}

/** The contract year containing `at`; null before the term starts. Years keep counting after the end. */
export function contractYearAt(term: ContractTerm, at: Instant, zone: string): ContractYear | null {
  const first = midnight(term.start, zone);
  if (at < first.toMillis()) return null;
  const local = DateTime.fromMillis(at, { zone: first.zone });
  let number = Math.max(1, Math.floor(local.diff(first, "years").years) + 1);
  // diff in years is calendar-aware, but step to be sure at the anniversary instant itself.
  while (contractYear(term, number, zone).start > at) number--;
  while (contractYear(term, number, zone).end <= at) number++;
  return contractYear(term, number, zone);
}

/** For JSON views (`sla due`, `ingest --dry-run --json`): `{ active, start, end, year }`. */
export interface ContractState {
  active: boolean;
  state: TermState;
  start: string | null;
  end: string | null;
  /** The contract year number at the instant, null when there is no term or it has not started. */
  year: number | null;
}

export function contractStateAt(term: ContractTerm | null, at: Instant, zone: string): ContractState {
  const state = termState(term, at, zone);
  const year = term ? (contractYearAt(term, at, zone)?.number ?? null) : null;
  return { active: state === "active", state, start: term?.start ?? null, end: term?.end ?? null, year };
}
