/**
 * The digest's rollup (schema/sla-rollup.ts): decided metrics per case, their daily counts, and the
 * backfill's progress. Writes take the caller's transaction, so a rollup change commits with the SLA
 * state change that produced it.
 */
import { sql } from "drizzle-orm";
import type { DailyDelta, DecisionChanges, DecisionRow } from "../../digest/decisions.js";
import { bulkInsert } from "../bulk.js";
import { executeRows, type Db } from "../database.js";
import { slaDaily, slaDecisions, slaRollupBackfill } from "../schema/index.js";

const ms = (v: unknown): number => (v instanceof Date ? v.getTime() : Number(v));

/** The stored decisions of these cases. */
export async function listDecisions(db: Db, caseIds: number[]): Promise<DecisionRow[]> {
  if (caseIds.length === 0) return [];
  const rows = await executeRows<Record<string, unknown>>(
    db,
    sql`select case_id, metric, cycle, policy_id, severity, (extract(epoch from decided_at) * 1000)::float8 as decided_at, on_time,
               (extract(epoch from met_at) * 1000)::float8 as met_at
        from ${slaDecisions} where case_id = any(${sql.param(caseIds)}::int[])`,
  );
  return rows.map((r) => ({
    caseId: Number(r.case_id),
    metric: String(r.metric),
    cycle: Number(r.cycle),
    policyId: String(r.policy_id),
    severity: String(r.severity),
    decidedAt: ms(r.decided_at),
    onTime: r.on_time === true,
    metAt: r.met_at === null ? null : ms(r.met_at),
  }));
}

/** Applies `changes` and their daily counts (`deltas`, from dailyDeltas) in the caller's transaction. */
export async function applyDecisionChanges(tx: Db, changes: DecisionChanges, deltas: DailyDelta[]): Promise<void> {
  const gone = [...changes.removed, ...changes.added];
  if (gone.length > 0) {
    await tx.execute(sql`
      delete from ${slaDecisions} d using unnest(${sql.param(gone.map((r) => r.caseId))}::int[], ${sql.param(gone.map((r) => r.metric))}::text[],
                                                ${sql.param(gone.map((r) => r.cycle))}::int[]) as k(case_id, metric, cycle)
      where d.case_id = k.case_id and d.metric = k.metric and d.cycle = k.cycle`);
  }
  if (changes.added.length > 0) {
    await bulkInsert(
      tx,
      slaDecisions,
      changes.added.map((r) => ({ ...r, decidedAt: new Date(r.decidedAt), metAt: r.metAt === null ? null : new Date(r.metAt) })),
    );
  }
  if (deltas.length > 0) {
    const json = JSON.stringify(deltas.map((d) => ({ day: d.day, policy_id: d.policyId, severity: d.severity, metric: d.metric, met: d.met, total: d.total })));
    await tx.execute(sql`
      insert into ${slaDaily} (day, policy_id, severity, metric, met, total)
      select day, policy_id, severity, metric, met, total from json_populate_recordset(null::${slaDaily}, ${json}::json)
      order by day, policy_id, severity, metric
      on conflict (day, policy_id, severity, metric) do update
      set met = ${slaDaily}.met + excluded.met, total = ${slaDaily}.total + excluded.total`);
  }
}

export interface DecisionCount {
  policyId: string;
  severity: string;
  met: number;
  total: number;
}

/**
 * Decisions in (from, to], per policy and severity: whole UTC days from sla_daily, the partial days at
 * both ends from sla_decisions (index on decided_at), so the cost does not grow with the cases of the window.
 */
export async function decisionCounts(db: Db, from: number, to: number): Promise<DecisionCount[]> {
  const DAY = 86_400_000;
  const firstWhole = Math.ceil(from / DAY) * DAY; // [firstWhole, lastWhole) are whole days inside (from, to]
  const lastWhole = Math.floor(to / DAY) * DAY;
  const iso = (t: number) => new Date(t).toISOString();
  const parts =
    firstWhole < lastWhole
      ? sql`select policy_id, severity, met, total from ${slaDaily} where day >= ${iso(firstWhole)}::date and day < ${iso(lastWhole)}::date
            union all
            select policy_id, severity, count(*) filter (where on_time), count(*) from ${slaDecisions}
            where (decided_at > ${iso(from)}::timestamptz and decided_at < ${iso(firstWhole)}::timestamptz)
               or (decided_at >= ${iso(lastWhole)}::timestamptz and decided_at <= ${iso(to)}::timestamptz)
            group by policy_id, severity`
      : sql`select policy_id, severity, count(*) filter (where on_time) as met, count(*) as total from ${slaDecisions}
            where decided_at > ${iso(from)}::timestamptz and decided_at <= ${iso(to)}::timestamptz group by policy_id, severity`;
  const rows = await executeRows<Record<string, unknown>>(
    db,
    sql`select policy_id, severity, sum(met)::int as met, sum(total)::int as total from (${parts}) p group by policy_id, severity`,
  );
  return rows.map((r) => ({ policyId: String(r.policy_id), severity: String(r.severity), met: Number(r.met), total: Number(r.total) }));
}

/**
 * Whether a case the digest reads (open or waiting, or updated after `since`; opened by `now`) has any
 * decision under this policy and severity (cases in `except` aside): the digest lists such a severity even
 * when nothing of it was decided in the last 30 days.
 */
export async function hasDecisionsOnDigestCases(
  db: Db,
  q: { policyId: string; severity: string; since: Date; now: Date; except: number[] },
): Promise<boolean> {
  const { policyId, severity, since, now } = q;
  const [row] = await executeRows<{ found: boolean }>(
    db,
    sql`select exists(
          select 1 from ${slaDecisions} d join cases c on c.id = d.case_id
          where d.policy_id = ${policyId} and d.severity = ${severity} and d.decided_at <= ${now.toISOString()}::timestamptz
            and (c.status in ('open', 'waiting') or c.updated_at > ${since.toISOString()}::timestamptz) and c.opened_at <= ${now.toISOString()}::timestamptz
            and not (d.case_id = any(${sql.param(q.except)}::int[]))
        ) as found`,
  );
  return row?.found === true;
}

/** The decisions of these cases in (from, to] per policy and severity (the cases the digest evaluates afresh). */
export function countDecisions(rows: DecisionRow[], from: number, to: number): DecisionCount[] {
  const counts = new Map<string, DecisionCount>();
  for (const r of rows) {
    if (r.decidedAt <= from || r.decidedAt > to) continue;
    const key = `${r.policyId}\u0000${r.severity}`;
    const c = counts.get(key) ?? counts.set(key, { policyId: r.policyId, severity: r.severity, met: 0, total: 0 }).get(key)!;
    c.total++;
    if (r.onTime) c.met++;
  }
  return [...counts.values()];
}

/**
 * Cases whose digest rows cannot be read from the rollup, so the digest evaluates them afresh: a next action
 * by `horizon` (a metric that may be at risk, or came due since its last evaluation), a missed metric not
 * met on an open case (a breach still open), or a metric missed in (dayAgo, now] (met late or case resolved).
 */
export async function digestCandidateCases(db: Db, now: Date, dayAgo: Date, horizon: Date): Promise<number[]> {
  const rows = await executeRows<{ id: number }>(
    db,
    sql`select id from cases where next_action_at <= ${horizon.toISOString()}::timestamptz
        union
        -- A clock still running at its last evaluation with its due time by the horizon: at risk, or missed since
        -- without a decision stored (evaluated at the very instant it fell due, with no next action after it).
        -- case_next_due_ms and its index come from migration 0010 (the board's queue order).
        select id from cases where status in ('open', 'waiting') and case_next_due_ms(sla_state) <= ${horizon.getTime()}
        union
        select d.case_id from ${slaDecisions} d join cases c on c.id = d.case_id
        where not d.on_time and d.met_at is null and c.status in ('open', 'waiting')
        union
        select case_id from ${slaDecisions} where not on_time
          and decided_at > ${dayAgo.toISOString()}::timestamptz and decided_at <= ${now.toISOString()}::timestamptz`,
  );
  return rows.map((r) => Number(r.id));
}

/** Open and waiting cases counted per policy, severity and organization (the digest's open-case counts). */
export async function openCaseCounts(db: Db, now: Date): Promise<Array<{ policyId: string; severity: string; organizationId: number; count: number }>> {
  const rows = await executeRows<Record<string, unknown>>(
    db,
    sql`select policy_id, severity, organization_id, count(*)::int as count from cases
        where status in ('open', 'waiting') and opened_at <= ${now.toISOString()}::timestamptz
        group by policy_id, severity, organization_id`,
  );
  return rows.map((r) => ({ policyId: String(r.policy_id), severity: String(r.severity), organizationId: Number(r.organization_id), count: Number(r.count) }));
}

/** Distinct time zones of contacts and organizations: the customer zones a calendar may follow. */
export async function customerZones(db: Db): Promise<string[]> {
  const rows = await executeRows<{ zone: string }>(
    db,
    sql`select time_zone as zone from contacts where time_zone is not null union select time_zone from organizations where time_zone is not null`,
  );
  return rows.map((r) => r.zone);
}

export interface BackfillState {
  afterCaseId: number;
  startedAt: Date | null;
  doneAt: Date | null;
}

export async function backfillState(db: Db): Promise<BackfillState | null> {
  const [row] = await db.select().from(slaRollupBackfill).where(sql`id = 1`);
  return row ? { afterCaseId: row.afterCaseId, startedAt: row.startedAt, doneAt: row.doneAt } : null;
}

export async function saveBackfillState(tx: Db, state: BackfillState): Promise<void> {
  await tx
    .insert(slaRollupBackfill)
    .values({ id: 1, ...state })
    .onConflictDoUpdate({ target: slaRollupBackfill.id, set: { afterCaseId: state.afterCaseId, startedAt: state.startedAt, doneAt: state.doneAt } });
}

/** The next `limit` cases (by id, after `afterId`) the backfill covers: open or waiting, or updated after `since`. */
export async function backfillBatch(tx: Db, afterId: number, since: Date, limit: number): Promise<{ ids: number[]; lastId: number | null }> {
  const scanned = await executeRows<{ id: number; wanted: boolean }>(
    tx,
    sql`select id, (status in ('open', 'waiting') or updated_at > ${since.toISOString()}::timestamptz) as wanted
        from cases where id > ${afterId} order by id limit ${limit} for update`,
  );
  return { ids: scanned.filter((r) => r.wanted).map((r) => Number(r.id)), lastId: scanned.length ? Number(scanned[scanned.length - 1]!.id) : null };
}
