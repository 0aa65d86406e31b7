/**
 * Product lifecycle notices already queued ([001] "Infotecs shall inform users about EOS, EOMS, and EOL of the
 * products these customers use not later than half a year before the due date"): one row per organization,
 * product version, milestone and its date, written in the same transaction as the outbox rows, so a notice is
 * queued once and never again (a new date, when the vendor moves EOS, is a new notice).
 */
import { integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz } from "./columns.js";
import { organizations } from "./directory.js";

export const lifecycleNotices = pgTable(
  "lifecycle_notices",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    organizationId: integer("organization_id")
      .notNull()
      .references(() => organizations.id),
    product: text("product").notNull(),
    version: text("version").notNull(),
    /** EOS, EOMS or EOL. */
    milestone: text("milestone").notNull(),
    /** The milestone's date, YYYY-MM-DD. */
    dueOn: text("due_on").notNull(),
    recipients: text("recipients").array().notNull(),
    queuedAt: tstz("queued_at").notNull(),
  },
  (t) => [uniqueIndex("lifecycle_notices_once").on(t.organizationId, t.product, t.version, t.milestone, t.dueOn)],
);
