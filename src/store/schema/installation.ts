/**
 * The installation: one row, made with a random id when the database is created (a migration inserts
 * it). Outgoing Message-IDs mix it in, so two installations (or one after a reset to a new database)
 * never reuse each other's ids: a mail client would hide the new mail as a duplicate of the old.
 */
import { sql } from "drizzle-orm";
import { check, integer, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns.js";

export const installation = pgTable(
  "installation",
  {
    /** Always 1: the table holds one row. */
    id: integer("id").primaryKey().default(1),
    installationId: text("installation_id").notNull().default(sql`replace(gen_random_uuid()::text, '-', '')`),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [check("installation_one_row", sql`${t.id} = 1`)],
);
