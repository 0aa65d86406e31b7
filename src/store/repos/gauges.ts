/**
 * What /metrics and /readyz read from the database at each scrape (src/http/): outbox rows by state with
 * the oldest due one, and open cases by policy and severity. Counts, not rows: cheap on any desk size.
 */
import { and, count, inArray, lte, min, sql } from "drizzle-orm";
import type { Db } from "../database.js";
import { cases, outbox } from "../schema/index.js";

export interface OutboxGauge {
  state: string;
  rows: number;
}

export async function outboxRowsByState(db: Db): Promise<OutboxGauge[]> {
  const rows = await db.select({ state: outbox.state, rows: count() }).from(outbox).groupBy(outbox.state);
  return rows.map((r) => ({ state: r.state, rows: Number(r.rows) }));
}

/** The next-attempt time of the oldest row waiting to go out and already due at `now`, or null. */
export async function oldestDueOutbox(db: Db, now: Date): Promise<Date | null> {
  const [row] = await db
    .select({ oldest: min(outbox.nextAttemptAt) })
    .from(outbox)
    .where(and(inArray(outbox.state, ["queued", "sending"]), lte(outbox.nextAttemptAt, now)));
  return row?.oldest ? new Date(row.oldest) : null;
}

export async function openCasesByPolicySeverity(db: Db): Promise<Array<{ policyId: string; severity: string; cases: number }>> {
  const rows = await db
    .select({ policyId: cases.policyId, severity: cases.severity, cases: count() })
    .from(cases)
    .where(sql`${cases.status} in ('open', 'waiting')`)
    .groupBy(cases.policyId, cases.severity);
  return rows.map((r) => ({ ...r, cases: Number(r.cases) }));
}
