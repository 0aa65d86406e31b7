/**
 * The daily breach digest as plain data: what broke in the last 24 hours, what is about to, how many
 * cases are open, and how often the targets were met. Pure: evaluated cases and `now` in, DigestData out.
 *
 * Definitions (the README repeats them):
 * - A breach "of the last 24 hours" is a metric not met by its due time whose due time lies in
 *   (now − 24 h, now]; it is "met late" when it was met since, else "still open". Lateness is business
 *   time (wall time on 24x7 coverage) from the due time to when it was met, or to now.
 * - A breach still open (target missed, metric not met, case open or waiting) is listed in every digest,
 *   however old, until it is met or the case is resolved, with how long it has been breached (wall time
 *   since the due time). A missed metric on a case resolved or closed since shows once more, "case resolved".
 * - Severity labels carry their policy ("vantiq: Severity 1 (Business-critical)"): two policies may
 *   name different levels alike (CIQ Standard and Premium both say "Severity 1 (Critical)").
 * - A case is at risk when one of its metrics is running (not paused, not met, not yet due) and due by
 *   the end of the next business day of the case's policy calendar (see endOfNextBusinessDay).
 * - Attainment over N days: each metric is decided once, when it was met on time (at its met time) or
 *   when it was missed (at its due time). Among the metrics decided in (now − N days, now], the share
 *   met on time. Metrics still running or paused before their due time are not decided yet.
 * - Open cases are those with status open or waiting.
 */
import type { BusinessCalendar, Instant } from "../calendar/types.js";
import type { MetricId, Policy } from "../policy/types.js";
import { calendarsForPolicy } from "../sla/calendars.js";
import type { CaseStatus, MetricStatus } from "../sla/types.js";
import { endOfNextBusinessDay, localDay } from "./days.js";
import type { NearQuotaRow } from "./quota.js";
import type { UpcomingMilestone } from "./lifecycle.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DigestCase {
  /** The case row's id, when loaded from the store (the rollup's backfill keys by it). */
  id?: number;
  number: number;
  subject: string;
  status: CaseStatus;
  organization: string;
  severity: { id: string; name: string };
  policy: Policy;
  /** Zone of the customer, for policies whose calendar follows it. */
  customerZone: string | null;
  /** The case's metrics evaluated at `now`. */
  metrics: MetricStatus[];
}

/** Mail the desk refused or quarantined since the manager's previous digest, by reason. */
export interface IntakeCounts {
  since: Instant;
  refused: CountRow[];
  quarantined: CountRow[];
}

export interface DigestInput {
  cases: DigestCase[];
  /** The manager's zone: it names the day and formats times; it does not change what is counted. */
  zone: string;
  now: Instant;
  /** Refused and quarantined mail since the last digest; absent: the section is left out. */
  intake?: IntakeCounts;
  /** Organizations at or over 80% of their ticket quota (src/digest/quota.ts); absent: the section is left out. */
  nearQuota?: NearQuotaRow[];
  /** Upcoming product lifecycle milestones (src/digest/lifecycle.ts); absent: the section is left out. */
  lifecycle?: UpcomingMilestone[];
}

interface CaseRef {
  caseNumber: number;
  subject: string;
  organization: string;
  severity: string;
  metric: MetricId;
  cycle: number;
  dueAt: Instant;
}

export interface BreachRow extends CaseRef {
  outcome: "met late" | "still open" | "case resolved";
  metAt: Instant | null;
  /** Business milliseconds late (positive). */
  lateMs: number;
  /** Wall milliseconds from the due time to now, while still open; null once met or resolved. */
  breachedMs: number | null;
}

export interface AtRiskRow extends CaseRef {
  /** Business milliseconds left (positive). */
  remainingMs: number;
}

export interface CountRow {
  label: string;
  count: number;
}

export interface Attainment {
  met: number;
  total: number;
  /** met / total, or null when nothing was decided in the window. */
  rate: number | null;
}

export interface AttainmentRow {
  severity: string;
  last7: Attainment;
  last30: Attainment;
}

export interface DigestData {
  now: Instant;
  zone: string;
  /** The manager's local calendar day at `now`, "YYYY-MM-DD". */
  day: string;
  breaches: BreachRow[];
  atRisk: AtRiskRow[];
  openTotal: number;
  openBySeverity: CountRow[];
  openByOrganization: CountRow[];
  attainment: AttainmentRow[];
  attainmentTotal: { last7: Attainment; last30: Attainment };
  /** No breach and nothing at risk: the digest is the short "no breaches" note. */
  empty: boolean;
  /** Refused and quarantined mail since the last digest (with totals), when the input had it. */
  intake: (IntakeCounts & { refusedTotal: number; quarantinedTotal: number }) | null;
  /** Organizations at or over 80% of their ticket quota, fullest first; [] when none or not loaded. */
  nearQuota: NearQuotaRow[];
  /** Upcoming product lifecycle milestones; [] or absent when none or not loaded. */
  lifecycle?: UpcomingMilestone[];
}

/** The counts and lists a digest is made of, before sorting and labelling (buildDigest, or from-rollup.ts). */
export interface DigestParts {
  breaches: BreachRow[];
  atRisk: AtRiskRow[];
  /** Open and waiting cases, counted per severity label and organization name. */
  open: Array<{ severity: string; organization: string; count: number }>;
  /** Per severity label: decisions in the last 7 and 30 days; a label with a decision older than that has zeros. */
  attainment: Map<string, { last7: Attainment; last30: Attainment }>;
  /** The policies of the cases read: they order the severity labels. */
  policies: Policy[];
}

export function buildDigest(input: DigestInput): DigestData {
  return assembleDigest(input, digestParts(input.cases, input.now));
}

/** Breaches, cases at risk, open counts and attainment of these evaluated cases at `now`. */
export function digestParts(cases: DigestCase[], now: Instant): DigestParts {
  const breaches: BreachRow[] = [];
  const atRisk: AtRiskRow[] = [];
  const tally = new Tally();
  // One horizon per calendar: cases share a handful of calendars, and the luxon day arithmetic is the slow part.
  const horizons = new Map<BusinessCalendar, Instant>();
  const horizonOf = (cal: BusinessCalendar) => horizons.get(cal) ?? horizons.set(cal, endOfNextBusinessDay(cal, now)).get(cal)!;
  for (const c of cases) {
    const horizon = horizonOf(calendarsForPolicy(c.policy, c.customerZone)("business"));
    for (const m of c.metrics) {
      const ref = refOf(c, m);
      const breach = breachOf(ref, m, now, c.status);
      if (breach) breaches.push(breach);
      if (m.state === "running" && m.dueAt > now && m.dueAt <= horizon) atRisk.push({ ...ref, remainingMs: Math.max(0, m.remainingMs) });
      tally.add(severityLabel(c), m, now);
    }
  }
  const open = cases.filter((c) => c.status === "open" || c.status === "waiting").map((c) => ({ severity: severityLabel(c), organization: c.organization, count: 1 }));
  return { breaches, atRisk, open, attainment: tally.bySeverity, policies: [...new Set(cases.map((c) => c.policy))] };
}

/** The digest from its parts: sorted, labelled, totalled. */
export function assembleDigest(input: Omit<DigestInput, "cases">, parts: DigestParts): DigestData {
  const { now } = input;
  const ranks = severityRanks(parts.policies);
  const bySeverity = (a: string, b: string) => (ranks.get(a) ?? Infinity) - (ranks.get(b) ?? Infinity) || a.localeCompare(b);
  const breaches = [...parts.breaches].sort((a, b) => a.dueAt - b.dueAt || a.caseNumber - b.caseNumber);
  const atRisk = [...parts.atRisk].sort((a, b) => a.dueAt - b.dueAt || a.caseNumber - b.caseNumber);
  const all = { last7: blank(), last30: blank() };
  for (const r of parts.attainment.values()) for (const key of ["last7", "last30"] as const) {
    all[key].met += r[key].met;
    all[key].total += r[key].total;
  }
  return {
    now,
    zone: input.zone,
    day: localDay(now, input.zone),
    breaches,
    atRisk,
    openTotal: parts.open.reduce((n, o) => n + o.count, 0),
    openBySeverity: sumBy(parts.open, (o) => o.severity).sort((a, b) => bySeverity(a.label, b.label)),
    openByOrganization: sumBy(parts.open, (o) => o.organization).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
    attainment: [...parts.attainment]
      .map(([severity, r]) => ({ severity, last7: withRate(r.last7), last30: withRate(r.last30) }))
      .sort((a, b) => bySeverity(a.severity, b.severity)),
    attainmentTotal: { last7: withRate(all.last7), last30: withRate(all.last30) },
    empty: breaches.length === 0 && atRisk.length === 0,
    intake: input.intake ? { ...input.intake, refusedTotal: total(input.intake.refused), quarantinedTotal: total(input.intake.quarantined) } : null,
    nearQuota: input.nearQuota ?? [],
    lifecycle: input.lifecycle ?? [],
  };
}

const total = (rows: CountRow[]) => rows.reduce((n, r) => n + r.count, 0);

/** "vantiq: Severity 1 (Business-critical)": the severity's name qualified by its policy. */
export const severityLabel = (c: Pick<DigestCase, "policy" | "severity">): string => `${c.policy.id}: ${c.severity.name}`;

function refOf(c: DigestCase, m: MetricStatus): CaseRef {
  return {
    caseNumber: c.number,
    subject: c.subject,
    organization: c.organization,
    severity: severityLabel(c),
    metric: m.metric,
    cycle: m.cycle,
    dueAt: m.dueAt,
  };
}

function breachOf(ref: CaseRef, m: MetricStatus, now: Instant, status: CaseStatus): BreachRow | null {
  if ((m.state !== "breached" && m.state !== "breached-met") || m.dueAt > now) return null;
  const lateMs = Math.max(0, -m.remainingMs);
  const caseOpen = status === "open" || status === "waiting";
  // Still open: carried from digest to digest, however old, until met or resolved.
  if (m.state === "breached" && caseOpen) return { ...ref, outcome: "still open", metAt: null, lateMs, breachedMs: now - m.dueAt };
  if (m.dueAt <= now - DAY) return null;
  return { ...ref, outcome: m.state === "breached-met" ? "met late" : "case resolved", metAt: m.metAt, lateMs, breachedMs: null };
}

/** When a metric's outcome became known, and whether it was met on time; null while undecided. */
export function decision(m: MetricStatus, now: Instant): { at: Instant; onTime: boolean } | null {
  if (m.state === "met" && m.metAt !== null) return { at: m.metAt, onTime: true };
  if ((m.state === "breached" || m.state === "breached-met") && m.dueAt <= now) return { at: m.dueAt, onTime: false };
  return null;
}

/** Decisions counted per severity label; `add` opens a label's row for any decision up to now, however old. */
export class Tally {
  readonly bySeverity = new Map<string, { last7: Attainment; last30: Attainment }>();

  add(severity: string, m: MetricStatus, now: Instant): void {
    const d = decision(m, now);
    if (!d || d.at > now) return;
    let row = this.bySeverity.get(severity);
    if (!row) this.bySeverity.set(severity, (row = { last7: blank(), last30: blank() }));
    for (const [days, key] of [[7, "last7"], [30, "last30"]] as const) {
      if (d.at <= now - days * DAY) continue;
      count(row[key], d.onTime);
    }
  }
}

export const blank = (): Attainment => ({ met: 0, total: 0, rate: null });
function count(a: Attainment, onTime: boolean): void {
  a.total++;
  if (onTime) a.met++;
}
const withRate = (a: Attainment): Attainment => ({ ...a, rate: a.total === 0 ? null : a.met / a.total });

function sumBy<T extends { count: number }>(items: T[], key: (item: T) => string): CountRow[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + item.count);
  return [...counts].map(([label, count]) => ({ label, count }));
}

/** Qualified severity labels, policy by policy (by id), each in the order its policy lists them (most urgent first). */
function severityRanks(read: Policy[]): Map<string, number> {
  const policies = [...new Set(read)].sort((a, b) => a.id.localeCompare(b.id));
  const ranks = new Map<string, number>();
  policies.forEach((policy, p) => policy.severities.forEach((s, i) => ranks.set(severityLabel({ policy, severity: s }), p * 1000 + i)));
  return ranks;
}
