/**
 * Erasure of an organization's personal data once its retention period has passed (src/retention/personal-data.ts).
 * `personal_data_erasures` is the organization's record: started, completed, and what was erased (kinds and
 * counts, never values). `erasure_people` holds the person → pseudonym map only while an erasure runs, so a
 * crashed run resumes with the same pseudonyms; its rows are deleted in the transaction that completes it.
 */
import { integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns.js";
import { organizations } from "./directory.js";

/** Rows changed per kind ("messages", "outbox", ...), in total and per case id. */
export interface ErasureCounts {
  people: number;
  kinds: Record<string, number>;
  byCase: Record<string, Record<string, number>>;
}

export const personalDataErasures = pgTable("personal_data_erasures", {
  organizationId: integer("organization_id")
    .primaryKey()
    .references(() => organizations.id),
  /** The day the contract ended and the days the policy kept the data after it, as applied. */
  contractEnd: text("contract_end").notNull(),
  retentionDays: integer("retention_days").notNull(),
  startedAt: tstz("started_at").notNull(),
  completedAt: tstz("completed_at"),
  counts: jsonb("counts").$type<ErasureCounts>().notNull(),
});

export const erasurePeople = pgTable(
  "erasure_people",
  {
    organizationId: integer("organization_id")
      .notNull()
      .references(() => organizations.id),
    personNo: integer("person_no").notNull(),
    /** Lowercased address, or null for a name seen without one. */
    address: text("address"),
    name: text("name"),
    pseudonymAddress: text("pseudonym_address").notNull(),
    pseudonymName: text("pseudonym_name").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.personNo] })],
);
