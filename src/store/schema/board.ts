/**
 * The board's sign-in: one-time links mailed to staff (only the SHA-256 of the token is kept, so a copy of
 * the database signs nobody in) and the HMAC key of its session cookies when the config gives none.
 */
import { check, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { tstz } from "./columns.js";
import { staff } from "./directory.js";

export const boardSignInLinks = pgTable(
  "board_sign_in_links",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    staffId: integer("staff_id")
      .notNull()
      .references(() => staff.id),
    /** hex SHA-256 of the token in the link. */
    tokenHash: text("token_hash").notNull(),
    createdAt: tstz("created_at").notNull(),
    expiresAt: tstz("expires_at").notNull(),
    /** Set when the link is used: a link signs in once. */
    usedAt: tstz("used_at"),
  },
  (t) => [uniqueIndex("board_sign_in_links_token_key").on(t.tokenHash), index("board_sign_in_links_staff_idx").on(t.staffId)],
);

export const boardSecret = pgTable(
  "board_secret",
  {
    /** Always 1: one key per installation. */
    id: integer("id").primaryKey().default(1),
    secret: text("secret").notNull(),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [check("board_secret_one_row", sql`${t.id} = 1`)],
);
