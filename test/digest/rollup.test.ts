/**
 * The digest from its rollup equals the digest from evaluating every case (the way it was built before
 * issue 18, kept here as the oracle), on PGlite and Postgres: seven weeks of realistic history replayed as
 * it happens (harness/digest/live-history.ts: a first response met late, a case paused while waiting, one
 * reopened, a breach just after Thanksgiving), compared at several instants between scheduler ticks; then
 * the same after the rollup is thrown away and backfilled again in small, resumed batches.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { ManualClock } from "../../src/clock/clock.js";
import { backfillRollup } from "../../src/digest/backfill.js";
import { assembleDigest, digestParts, type DigestData } from "../../src/digest/build.js";
import { canUseRollup, digestPartsFromRollup } from "../../src/digest/from-rollup.js";
import { loadDigestCases } from "../../src/digest/load.js";
import type { Db } from "../../src/store/index.js";
import { historyDesk, HISTORY_TO, plannedCases, startHistory, type LiveHistory } from "../../harness/digest/live-history.js";
import { testDatabases } from "../support/db.js";

const zone = "America/New_York";
const desk = historyDesk();

/** The oracle: every case the digest reads, evaluated at `now` (what the digest did before the rollup). */
async function byEvaluation(db: Db, now: number): Promise<DigestData> {
  const { cases, skipped } = await loadDigestCases(db, desk.policies, now);
  expect(skipped).toEqual([]);
  return assembleDigest({ zone, now }, digestParts(cases, now));
}

async function fromRollup(db: Db, now: number): Promise<DigestData> {
  expect(await canUseRollup(db, now)).toBe(true);
  const { parts, skipped } = await digestPartsFromRollup(db, desk.policies, now);
  expect(skipped).toEqual([]);
  return assembleDigest({ zone, now }, parts);
}

const CHECKS = ["2026-11-25T13:00:00Z", "2026-11-27T22:00:00Z", "2026-11-30T13:00:00Z", "2026-12-02T13:00:00Z", "2026-12-04T19:30:00Z", "2026-12-09T13:00:00Z"].map(Date.parse);

describe.each(testDatabases())("the digest from its rollup on %s", (target) => {
  let db: Db;
  let history: LiveHistory;
  const clock = new ManualClock(Date.parse("2026-10-19T00:00:00Z"));
  const seen: DigestData[] = [];

  beforeAll(async () => {
    db = await target.open();
    // A new database: the backfill has nothing to do and is done before the first case.
    expect((await backfillRollup(db, desk.policies, clock)).done).toBe(true);
    history = await startHistory(db, desk, clock, plannedCases(desk, 60));
  }, 120_000);
  afterAll(() => target.close());

  it.each(CHECKS.map((t) => [new Date(t).toISOString(), t] as const))("equals the evaluation of every case at %s", async (_, now) => {
    await history.advanceTo(now);
    const expected = await byEvaluation(db, now);
    expect(await fromRollup(db, now)).toEqual(expected);
    seen.push(expected);
  }, 120_000);

  it("compared digests that show every kind of row, the named cases among them", () => {
    const rows = seen.flatMap((d) => d.breaches);
    expect(new Set(rows.map((b) => b.outcome))).toEqual(new Set(["met late", "still open"]));
    expect(seen.some((d) => d.atRisk.length > 0)).toBe(true);
    expect(seen.every((d) => d.attainmentTotal.last30.total > 0 && d.openTotal > 0)).toBe(true);
    expect(seen.some((d) => d.attainment.some((a) => a.last7.total > 0 && a.last7.met < a.last7.total))).toBe(true);
    const numberOf = (name: string) => [...seen.flatMap((d) => [...d.breaches, ...d.atRisk])].find((r) => r.subject.startsWith(name))?.caseNumber;
    // Met late on Tuesday 8 December: in Wednesday's digest as "met late".
    expect(seen.at(-1)!.breaches.some((b) => b.caseNumber === numberOf("met late") && b.outcome === "met late")).toBe(true);
    // Opened Wednesday 16:30 before Thanksgiving: due Friday 27 November in New York, not on the holiday.
    const holiday = seen[1]!.breaches.find((b) => b.caseNumber === numberOf("holiday edge"));
    expect(holiday && DateTime.fromMillis(holiday.dueAt, { zone }).toISODate()).toBe("2026-11-27");
    expect(numberOf("reopened")).toBeDefined();
    expect(numberOf("paused")).toBeDefined();
  });

  it("a rollup thrown away is backfilled in resumed batches to the same digest", async () => {
    await history.advanceTo(HISTORY_TO);
    const expected = await byEvaluation(db, HISTORY_TO);
    await db.execute(sql`delete from sla_decisions`);
    await db.execute(sql`delete from sla_daily`);
    await db.execute(sql`delete from sla_rollup_backfill`);
    expect(await canUseRollup(db, HISTORY_TO)).toBe(false);
    let batches = 0;
    for (;;) {
      batches++;
      // budget 0: one batch of 10 cases per call, as a worker restarted after every batch would resume.
      const progress = await backfillRollup(db, desk.policies, clock, { budgetMs: 0, batch: 10 });
      if (progress.done) break;
    }
    expect(batches).toBeGreaterThan(3);
    expect(await fromRollup(db, HISTORY_TO)).toEqual(expected);
  }, 120_000);
});
