/**
 * Rendered outgoing mail waiting for delivery, and the record of digests already sent.
 * `idempotencyKey` is unique so a retried transaction can never queue the same mail twice;
 * `messageId` is fixed at insert so a retried send reuses it and threads stay intact.
 */
import { sql } from "drizzle-orm";
import { check, date, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz } from "./columns.js";
import { cases } from "./cases.js";
import { staff } from "./directory.js";

export const OUTBOX_STATES = ["queued", "sending", "sent", "failed", "bounced"] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** Either a stored attachment (by id) or inline base64 content. */
export interface OutboxAttachment {
  filename: string;
  contentType: string;
  size?: number;
  attachmentId?: number;
  contentBase64?: string;
}

export const outbox = pgTable(
  "outbox",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text("idempotency_key").notNull(),
    kind: text("kind").notNull(),
    caseId: integer("case_id").references(() => cases.id),
    from: text("from").notNull(),
    to: text("to").array().notNull(),
    cc: text("cc").array().notNull().default(sql`'{}'::text[]`),
    replyTo: text("reply_to"),
    subject: text("subject").notNull(),
    messageId: text("message_id").notNull(),
    inReplyTo: text("in_reply_to"),
    references: text("references").array().notNull().default(sql`'{}'::text[]`),
    headers: jsonb("headers").$type<Record<string, string>>().notNull().default({}),
    text: text("text").notNull(),
    html: text("html"),
    attachments: jsonb("attachments").$type<OutboxAttachment[]>().notNull().default([]),
    state: text("state").$type<OutboxState>().notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull(),
    lockedUntil: tstz("locked_until"),
    /** The worker holding the claim (its presence lock, store/worker-locks.ts): a dead one's claim is free at once. */
    claimedBy: integer("claimed_by"),
    lastError: text("last_error"),
    createdAt: tstz("created_at").notNull(),
    sentAt: tstz("sent_at"),
  },
  (t) => [
    uniqueIndex("outbox_idempotency_key").on(t.idempotencyKey),
    uniqueIndex("outbox_message_id_key").on(t.messageId),
    index("outbox_state_next_attempt_idx").on(t.state, t.nextAttemptAt),
    index("outbox_case_idx").on(t.caseId),
    // The per-sender cap on automatic replies counts the last hour's rows only.
    index("outbox_created_at_idx").on(t.createdAt),
    check("outbox_state_check", sql`${t.state} in ('queued', 'sending', 'sent', 'failed', 'bounced')`),
  ],
);

export const digestsSent = pgTable(
  "digests_sent",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    managerId: integer("manager_id")
      .notNull()
      .references(() => staff.id),
    /** The manager's local calendar day the digest covers. */
    day: date("day", { mode: "string" }).notNull(),
    sentAt: tstz("sent_at").notNull(),
  },
  (t) => [uniqueIndex("digests_sent_manager_day_key").on(t.managerId, t.day)],
);

/**
 * Addresses no automatic mail (acknowledgment, refusal) may go to any more: their owner complained about
 * our mail through a feedback loop (ARF). Kept with the complaint that stopped them.
 */
export const suppressedAddresses = pgTable("suppressed_addresses", {
  address: text("address").primaryKey(),
  reason: text("reason").notNull(),
  /** Message-ID of the complaint that stopped the address. */
  complaintMessageId: text("complaint_message_id"),
  at: tstz("at").notNull(),
});

/**
 * Acknowledgments held back by the per-sender cap (autoReplyCapPerHour) for a verified DTC's new cases:
 * never dropped, they go out combined in one message as soon as the hour's window allows (scheduler's
 * acknowledgment job). `combinedKey` is the outbox key of that message once it is queued.
 */
export const deferredAcknowledgments = pgTable(
  "deferred_acknowledgments",
  {
    caseId: integer("case_id")
      .primaryKey()
      .references(() => cases.id),
    address: text("address").notNull(),
    reason: text("reason").notNull(),
    deferredAt: tstz("deferred_at").notNull(),
    combinedKey: text("combined_key"),
    queuedAt: tstz("queued_at"),
  },
  (t) => [index("deferred_acknowledgments_pending_idx").on(t.address).where(sql`${t.combinedKey} is null`)],
);
