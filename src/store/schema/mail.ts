/**
 * Inbound mail: mailboxes and their read cursors, stored messages (both directions) with their
 * attachments, refused/quarantined mail, and the per-source failure counter behind the
 * "fails 3 times → quarantine" rule.
 *
 * A message's source key is (mailbox, uidvalidity, uid): unique, so a re-delivered IMAP message
 * cannot be stored twice. Maildir and stdin messages have no UID and leave both null; they are
 * de-duplicated by Message-ID (or a content hash standing in for it), unique where present.
 */
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { bytea, tstz } from "./columns.js";
import { cases } from "./cases.js";

export const MAILBOX_KINDS = ["imap", "maildir"] as const;
export type MailboxKind = (typeof MAILBOX_KINDS)[number];

export const mailboxes = pgTable(
  "mailboxes",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    name: text("name").notNull(),
    kind: text("kind").$type<MailboxKind>().notNull(),
    address: text("address").notNull(),
    defaultPolicyId: text("default_policy_id"),
  },
  (t) => [uniqueIndex("mailboxes_name_key").on(t.name), check("mailboxes_kind_check", sql`${t.kind} in ('imap', 'maildir')`)],
);

export const mailboxCursors = pgTable(
  "mailbox_cursors",
  {
    mailbox: text("mailbox").notNull(),
    folder: text("folder").notNull(),
    uidValidity: bigint("uid_validity", { mode: "number" }).notNull(),
    lastUid: bigint("last_uid", { mode: "number" }).notNull(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.mailbox, t.folder] })],
);

export type Direction = "in" | "out";

export const messages = pgTable(
  "messages",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    caseId: integer("case_id").references(() => cases.id),
    mailbox: text("mailbox"),
    direction: text("direction").$type<Direction>().notNull(),
    messageId: text("message_id"),
    inReplyTo: text("in_reply_to"),
    references: text("references").array().notNull().default(sql`'{}'::text[]`),
    from: text("from").notNull(),
    to: text("to").array().notNull().default(sql`'{}'::text[]`),
    cc: text("cc").array().notNull().default(sql`'{}'::text[]`),
    subject: text("subject").notNull().default(""),
    text: text("text"),
    html: text("html"),
    receivedAt: tstz("received_at").notNull(),
    rawSize: integer("raw_size").notNull().default(0),
    sourceUidValidity: bigint("source_uid_validity", { mode: "number" }),
    sourceUid: bigint("source_uid", { mode: "number" }),
    contentHash: text("content_hash"),
  },
  (t) => [
    uniqueIndex("messages_message_id_key").on(t.messageId).where(sql`${t.messageId} is not null`),
    uniqueIndex("messages_source_key").on(t.mailbox, t.sourceUidValidity, t.sourceUid),
    index("messages_case_idx").on(t.caseId),
    // `case search --text`: full-text search over subject and body; the query repeats this expression exactly.
    index("messages_text_search_idx").using("gin", sql`to_tsvector('english', coalesce(${t.subject}, '') || ' ' || coalesce(${t.text}, ''))`),
    check("messages_direction_check", sql`${t.direction} in ('in', 'out')`),
  ],
);

export const attachments = pgTable(
  "attachments",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    messageId: integer("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    content: bytea("content"),
  },
  (t) => [index("attachments_message_idx").on(t.messageId)],
);

export const DISPOSITIONS = ["refused", "quarantined", "ignored"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const inboundRejections = pgTable(
  "inbound_rejections",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    mailbox: text("mailbox"),
    messageId: text("message_id"),
    sourceUidValidity: bigint("source_uid_validity", { mode: "number" }),
    sourceUid: bigint("source_uid", { mode: "number" }),
    from: text("from"),
    subject: text("subject"),
    reasonCode: text("reason_code").notNull(),
    detail: text("detail"),
    disposition: text("disposition").$type<Disposition>().notNull(),
    attempts: integer("attempts").notNull().default(1),
    at: tstz("at").notNull(),
    raw: bytea("raw"),
    /** A refusal's reply: the outbox key it was queued under; null when none was queued. */
    replyKey: text("reply_key"),
    /** Why no reply was queued (the per-sender cap, a complaint), when one was due. */
    replyWithheld: text("reply_withheld"),
    /** A quarantined message run through intake again (`quarantine retry`): when, and what became of it. */
    retriedAt: tstz("retried_at"),
    retryOutcome: text("retry_outcome"),
  },
  (t) => [
    index("inbound_rejections_at_idx").on(t.at),
    index("inbound_rejections_message_id_idx").on(t.messageId),
    check("inbound_rejections_disposition_check", sql`${t.disposition} in ('refused', 'quarantined', 'ignored')`),
  ],
);

/** Failures per source message; the key is formatted by sourceKey() in repos/processing.ts. */
export const processingAttempts = pgTable("processing_attempts", {
  sourceKey: text("source_key").primaryKey(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
  updatedAt: tstz("updated_at").notNull(),
});
