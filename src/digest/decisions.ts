/**
 * The digest's attainment kept as it happens (pure): which of a case's metrics are decided in an evaluation,
 * and what changes against the rows stored from its previous one. The store applies the changes in the
 * transaction that saves the evaluation (src/digest/record.ts), so sla_decisions and sla_daily always
 * match the cases' last evaluations.
 */
import type { Instant } from "../calendar/types.js";
import type { MetricStatus } from "../sla/types.js";
import { decision } from "./build.js";

export interface DecisionRow {
  caseId: number;
  metric: string;
  cycle: number;
  policyId: string;
  severity: string;
  decidedAt: Instant;
  onTime: boolean;
  /** A missed metric met late: when; null while not met (a "still open" breach). */
  metAt: Instant | null;
}

/** What the digest counts of an evaluation at `now`: the metrics build.ts's `decision` calls decided. */
export function decisionsOf(c: { caseId: number; policyId: string; severity: string }, metrics: MetricStatus[], now: Instant): DecisionRow[] {
  const rows: DecisionRow[] = [];
  for (const m of metrics) {
    const d = decision(m, now);
    if (!d || d.at > now) continue;
    rows.push({ caseId: c.caseId, policyId: c.policyId, severity: c.severity, metric: m.metric, cycle: m.cycle, decidedAt: d.at, onTime: d.onTime, metAt: d.onTime ? null : m.metAt });
  }
  return rows;
}

const keyOf = (r: Pick<DecisionRow, "caseId" | "metric" | "cycle">) => `${r.caseId}:${r.metric}:${r.cycle}`;
const same = (a: DecisionRow, b: DecisionRow) =>
  a.policyId === b.policyId && a.severity === b.severity && a.decidedAt === b.decidedAt && a.onTime === b.onTime && a.metAt === b.metAt;

export interface DecisionChanges {
  /** Stored rows no longer true (removed, or replaced by a row in `added`). */
  removed: DecisionRow[];
  added: DecisionRow[];
}

/** The changes that turn `stored` (these cases' rows) into `fresh` (their new evaluations' rows). */
export function diffDecisions(stored: DecisionRow[], fresh: DecisionRow[]): DecisionChanges {
  const before = new Map(stored.map((r) => [keyOf(r), r]));
  const added: DecisionRow[] = [];
  for (const r of fresh) {
    const old = before.get(keyOf(r));
    before.delete(keyOf(r));
    if (old && same(old, r)) continue;
    if (old) before.set(`replaced:${keyOf(r)}`, old);
    added.push(r);
  }
  return { removed: [...before.values()], added };
}

export interface DailyDelta {
  /** UTC day of the decision, "YYYY-MM-DD". */
  day: string;
  policyId: string;
  severity: string;
  metric: string;
  met: number;
  total: number;
}

export const utcDay = (t: Instant) => new Date(t).toISOString().slice(0, 10);

/** sla_daily's changes for `changes`, non-zero ones only, in key order (so concurrent writers lock rows alike). */
export function dailyDeltas(changes: DecisionChanges): DailyDelta[] {
  const deltas = new Map<string, DailyDelta>();
  const add = (r: DecisionRow, sign: number) => {
    const day = utcDay(r.decidedAt);
    const key = [day, r.policyId, r.severity, r.metric].join("\u0000");
    const d = deltas.get(key) ?? deltas.set(key, { day, policyId: r.policyId, severity: r.severity, metric: r.metric, met: 0, total: 0 }).get(key)!;
    d.total += sign;
    if (r.onTime) d.met += sign;
  };
  for (const r of changes.removed) add(r, -1);
  for (const r of changes.added) add(r, 1);
  return [...deltas.entries()]
    .filter(([, d]) => d.met !== 0 || d.total !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => d);
}
