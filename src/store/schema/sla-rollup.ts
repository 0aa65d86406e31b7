/**
 * What the daily digest needs, kept as it happens (issue 18): the digest no longer re-evaluates every case
 * of its 30-day window. Written in the same transaction as the SLA state change that produces it
 * (src/digest/record.ts), never edited by hand; a case's rows are derived from its last evaluation.
 *
 * - sla_decisions: one row per metric decided (met on time at its met time, or missed at its due time),
 *   with the case's policy and severity at that evaluation.
 * - sla_daily: sla_decisions counted per UTC day of the decision, policy, severity and metric; the digest
 *   sums whole days from here and counts only the two partial days at the window's edges from sla_decisions.
 * - sla_rollup_backfill: how far the one-off backfill of an existing database has come (resumable).
 */
import { sql } from "drizzle-orm";
import { boolean, date, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns.js";
import { cases } from "./cases.js";

export const slaDecisions = pgTable(
  "sla_decisions",
  {
    caseId: integer("case_id")
      .notNull()
      // Derived rows: a case deleted (tests, a retention purge) takes its decisions along.
      .references(() => cases.id, { onDelete: "cascade" }),
    metric: text("metric").notNull(),
    cycle: integer("cycle").notNull(),
    policyId: text("policy_id").notNull(),
    severity: text("severity").notNull(),
    /** The met time of a metric met on time, the due time of one missed. */
    decidedAt: tstz("decided_at").notNull(),
    onTime: boolean("on_time").notNull(),
    /** When a missed metric was met late; null while it is still not met. */
    metAt: tstz("met_at"),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.metric, t.cycle] }),
    index("sla_decisions_decided_at_idx").on(t.decidedAt),
    index("sla_decisions_label_idx").on(t.policyId, t.severity),
    // The digest's "still open" breaches: missed and not met since.
    index("sla_decisions_unmet_idx").on(t.caseId).where(sql`not ${t.onTime} and ${t.metAt} is null`),
  ],
);

export const slaDaily = pgTable(
  "sla_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    policyId: text("policy_id").notNull(),
    severity: text("severity").notNull(),
    metric: text("metric").notNull(),
    met: integer("met").notNull().default(0),
    total: integer("total").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.policyId, t.severity, t.metric] })],
);

export const slaRollupBackfill = pgTable("sla_rollup_backfill", {
  id: integer("id").primaryKey(),
  /** Cases with an id above this one are still to be backfilled. */
  afterCaseId: integer("after_case_id").notNull().default(0),
  /** The backfill's `now`: cases closed and not updated in the 30 days before it are left out. */
  startedAt: tstz("started_at"),
  doneAt: tstz("done_at"),
});
