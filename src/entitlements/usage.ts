/**
 * `org usage`: what an organization bought and what it used in one contract year, as plain data and as text
 * (pure). Other counted entitlements (Konneqt query hours) add their own section beside `tickets`.
 */
import { DateTime } from "luxon";
import type { Instant } from "../calendar/types.js";
import { counts, quotaRuleFor, resolvedAt, yearUsage, type QuotaCase } from "./quota.js";
import { contractYearAt, type ContractTerm } from "./term.js";
import type { Agreement } from "./agreement.js";
import type { Policy } from "../policy/types.js";

export interface UsageReport {
  organization: string;
  policy: string;
  term: ContractTerm | null;
  /** null: no contract term, or the year asked for has not begun. */
  year: { number: number; firstDay: string; lastDay: string } | null;
  tickets: {
    allowance: number;
    base: number;
    carriedOver: number;
    used: number;
    /** Open or waiting cases of counted types: they will count when resolved. */
    openWouldCount: number[];
    remaining: number;
    counted: Array<{ case: number; resolved: string }>;
  } | null;
  /** Why there is nothing to count, for a person. */
  note: string | null;
}

export interface UsageInput {
  organization: string;
  policy: Policy;
  term: ContractTerm | null;
  agreement: Agreement | null;
  zone: string;
  cases: readonly QuotaCase[];
  now: Instant;
  /** Contract year number; default: the year containing `now`. */
  year?: number;
}

export function usageReport(u: UsageInput): UsageReport {
  const base = { organization: u.organization, policy: u.policy.id, term: u.term };
  const rule = quotaRuleFor(u.policy, u.agreement);
  if (!rule) return { ...base, year: null, tickets: null, note: `policy ${u.policy.id} counts no tickets` };
  if (!u.term) return { ...base, year: null, tickets: null, note: "no contract term: set one with org set --contract-start DATE" };
  const number = u.year ?? contractYearAt(u.term, u.now, u.zone)?.number;
  if (number === undefined) return { ...base, year: null, tickets: null, note: `the contract starts on ${u.term.start}` };
  const y = yearUsage(rule, u.term, u.zone, u.cases, number);
  const day = (t: Instant) => DateTime.fromMillis(t, { zone: u.zone }).toISODate()!;
  const open = u.cases.filter((c) => counts(rule, c) && resolvedAt(c) === null && (c.status === "open" || c.status === "waiting")).map((c) => c.number);
  return {
    ...base,
    year: { number, firstDay: y.year.firstDay, lastDay: y.year.lastDay },
    tickets: {
      allowance: y.allowance,
      base: y.base,
      carriedOver: y.carriedOver,
      used: y.used,
      openWouldCount: open.sort((a, b) => a - b),
      remaining: y.remaining,
      counted: y.counted.map((c) => ({ case: c.number, resolved: day(c.resolvedAt) })),
    },
    note: null,
  };
}

export function formatUsage(r: UsageReport): string {
  const lines = [`${r.organization} (policy ${r.policy})`, `  contract:        ${r.term ? `${r.term.start} to ${r.term.end ?? "open-ended"}` : "-"}`];
  if (r.year) lines.push(`  contract year:   ${r.year.number} (${r.year.firstDay} to ${r.year.lastDay})`);
  const t = r.tickets;
  if (!t) return [...lines, `  ${r.note}`].join("\n") + "\n";
  lines.push(
    `  allowance:       ${t.allowance} tickets (${t.base} a year + ${t.carriedOver} carried over)`,
    `  used:            ${t.used} resolved${t.used >= t.allowance ? " (used up: new cases are chargeable)" : ""}`,
    `  remaining:       ${t.remaining}`,
    `  open, to count:  ${t.openWouldCount.length ? t.openWouldCount.map((n) => `#${n}`).join(" ") : "none"}`,
    `  counted cases:`,
    ...(t.counted.length ? t.counted.map((c) => `    #${c.case}  resolved ${c.resolved}`) : ["    (none)"]),
  );
  return lines.join("\n") + "\n";
}
