/**
 * Breaches that were already past when their mail was read (a backlog: the worker was down, or started on a
 * busy mailbox). The case records them as sent, so the scheduler never alerts them one by one; each row
 * waits here until the managers' one summary mail names it (reportedAt).
 */
import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz } from "./columns.js";
import { cases } from "./cases.js";

export const pastBreaches = pgTable(
  "past_breaches",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    caseId: integer("case_id")
      .notNull()
      .references(() => cases.id),
    /** The mailbox that read the mail late: its drain sends the summary once the backlog is read. */
    mailbox: text("mailbox").notNull(),
    /** The ReminderOwed key ("metric:cycle:threshold") the breach alert would have used. */
    reminderKey: text("reminder_key").notNull(),
    metric: text("metric").notNull(),
    dueAt: tstz("due_at").notNull(),
    /** Audiences the policy alerts at this breach (Konneqt adds executives for workaround and resolution). */
    notify: text("notify").array().notNull(),
    foundAt: tstz("found_at").notNull(),
    reportedAt: tstz("reported_at"),
  },
  (t) => [
    uniqueIndex("past_breaches_case_key").on(t.caseId, t.reminderKey),
    index("past_breaches_unreported_idx").on(t.mailbox).where(sql`${t.reportedAt} is null`),
  ],
);
