/**
 * Keeps the digest's rollup true as SLA state changes: called, in the same transaction, wherever a case's
 * evaluation is saved (case opening, refreshCaseSla after any change, the scheduler tick, the backfill).
 * Load the stored decisions → diff against the new evaluations (pure, decisions.ts) → apply the changes.
 * Most saves change no decision (a reminder, a reply on a decided metric) and write nothing.
 */
import type { MetricStatus } from "../sla/types.js";
import type { Db } from "../store/database.js";
import { applyDecisionChanges, listDecisions } from "../store/repos/sla-rollup.js";
import { dailyDeltas, decisionsOf, diffDecisions } from "./decisions.js";

export interface EvaluatedCase {
  caseId: number;
  policyId: string;
  /** The case's severity id now: its decisions count under it. */
  severity: string;
  metrics: MetricStatus[];
}

/**
 * Records the decisions of these cases' new evaluations at `now`. `newCases`: none of them has stored rows
 * yet (just inserted), so nothing is read.
 */
export async function recordDecisions(tx: Db, evaluated: EvaluatedCase[], now: number, opts: { newCases?: boolean } = {}): Promise<void> {
  const fresh = evaluated.flatMap((c) => decisionsOf(c, c.metrics, now));
  if (opts.newCases && fresh.length === 0) return;
  const stored = opts.newCases ? [] : await listDecisions(tx, evaluated.map((c) => c.caseId));
  const changes = diffDecisions(stored, fresh);
  if (changes.added.length === 0 && changes.removed.length === 0) return;
  await applyDecisionChanges(tx, changes, dailyDeltas(changes));
}
