/**
 * The one-off backfill of the digest's rollup for a database that had cases before it existed (run at
 * first start by the digest job, resumable): cases in id order, a batch per transaction that also records
 * how far it came, so a restart goes on where it stopped. Only the cases the digest reads are evaluated
 * (open or waiting, or updated in the 30 days before the backfill began): an older closed case decided
 * nothing the digest will count again. Cases saved meanwhile record their own rows (record.ts); the batch
 * locks its cases, so the two never write one case at once. Until it is done the digest evaluates every case.
 */
import type { Clock } from "../clock/clock.js";
import type { Policy } from "../policy/types.js";
import type { Db } from "../store/database.js";
import { backfillBatch, backfillState, saveBackfillState } from "../store/repos/sla-rollup.js";
import { loadDigestCases } from "./load.js";
import { recordDecisions } from "./record.js";

const DAY = 86_400_000;

export interface BackfillProgress {
  done: boolean;
  /** Cases evaluated and recorded by this call. */
  evaluated: number;
  /** Cases the engine could not evaluate (a policy no longer loaded, a trail it refuses): left out, as the digest leaves them. */
  skipped: Array<{ number: number; reason: string }>;
}

/** Runs batches (at least one) until done or `budgetMs` has passed (the worker's tick goes on meanwhile). */
export async function backfillRollup(db: Db, policies: Map<string, Policy>, clock: Clock, opts: { budgetMs?: number; batch?: number } = {}): Promise<BackfillProgress> {
  const started = clock.now();
  const progress: BackfillProgress = { done: false, evaluated: 0, skipped: [] };
  let state = (await backfillState(db)) ?? { afterCaseId: 0, startedAt: null, doneAt: null };
  if (state.doneAt) return { ...progress, done: true };
  if (!state.startedAt) state = { ...state, startedAt: new Date(started) };
  const since = new Date(state.startedAt!.getTime() - 30 * DAY);
  do {
    const now = clock.now();
    const next = await db.transaction(async (tx) => {
      const { ids, lastId } = await backfillBatch(tx, state.afterCaseId, since, opts.batch ?? 2_000);
      if (lastId === null) {
        const done = { ...state, doneAt: new Date(now) };
        await saveBackfillState(tx, done);
        return done;
      }
      const loaded = await loadDigestCases(tx, policies, now, ids);
      await recordDecisions(tx, loaded.cases.map((c) => ({ caseId: c.id!, policyId: c.policy.id, severity: c.severity.id, metrics: c.metrics })), now);
      progress.evaluated += loaded.cases.length;
      progress.skipped.push(...loaded.skipped);
      const moved = { ...state, afterCaseId: lastId };
      await saveBackfillState(tx, moved);
      return moved;
    });
    state = next;
    if (state.doneAt) return { ...progress, done: true };
  } while (clock.now() - started < (opts.budgetMs ?? 2_000));
  return progress;
}
