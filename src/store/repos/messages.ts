/**
 * Stored mail and attachments. Inserts never fail on a duplicate: a message whose Message-ID or
 * source key (mailbox, UIDVALIDITY, UID) is already stored is reported as not inserted, which is
 * how a re-delivered or double-addressed message is recognised.
 */
import { and, asc, desc, eq, getTableName, inArray, isNotNull, sql } from "drizzle-orm";
import { copyRows, type CopyColumn } from "../copy.js";
import type { Db } from "../database.js";
import { attachments, cases, messages, outbox } from "../schema/index.js";

export type Message = typeof messages.$inferSelect;
export type NewMessage = Omit<typeof messages.$inferInsert, "id">;
export type Attachment = typeof attachments.$inferSelect;
export type NewAttachment = Omit<typeof attachments.$inferInsert, "id">;
export interface SourceKey {
  mailbox: string;
  uidValidity: number;
  uid: number;
}

export async function insertMessage(db: Db, input: NewMessage): Promise<Message | undefined> {
  const [row] = await db.insert(messages).values(input).onConflictDoNothing().returning();
  return row;
}

export async function messageExistsBySource(db: Db, key: SourceKey): Promise<boolean> {
  const rows = await db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(eq(messages.mailbox, key.mailbox), eq(messages.sourceUidValidity, key.uidValidity), eq(messages.sourceUid, key.uid)),
    )
    .limit(1);
  return rows.length > 0;
}

export async function getMessageByMessageId(db: Db, messageId: string): Promise<Message | undefined> {
  const [row] = await db.select().from(messages).where(eq(messages.messageId, messageId));
  return row;
}

export const messageExistsByMessageId = async (db: Db, messageId: string): Promise<boolean> =>
  (await getMessageByMessageId(db, messageId)) !== undefined;

/**
 * The case a reply belongs to, from its In-Reply-To and References: any stored message of a case,
 * or any mail we queued for one (our acknowledgment may be what the customer answers).
 */
export async function findCaseIdByMessageIds(db: Db, messageIds: string[]): Promise<number | undefined> {
  const ids = [...new Set(messageIds.filter((id) => id.length > 0))];
  if (ids.length === 0) return undefined;
  const [stored] = await db
    .select({ caseId: messages.caseId })
    .from(messages)
    .where(and(inArray(messages.messageId, ids), isNotNull(messages.caseId)))
    .orderBy(desc(messages.receivedAt))
    .limit(1);
  if (stored?.caseId != null) return stored.caseId;
  const [sent] = await db
    .select({ caseId: outbox.caseId })
    .from(outbox)
    .where(and(inArray(outbox.messageId, ids), isNotNull(outbox.caseId)))
    .orderBy(desc(outbox.createdAt))
    .limit(1);
  return sent?.caseId ?? undefined;
}

export async function listMessagesForCase(db: Db, caseId: number): Promise<Message[]> {
  return db.select().from(messages).where(eq(messages.caseId, caseId)).orderBy(asc(messages.receivedAt), asc(messages.id));
}

/** The attachments table's columns as the binary COPY writes them. */
export const ATTACHMENT_COLUMNS: CopyColumn[] = [
  { name: "message_id", type: "int4" },
  { name: "filename", type: "text" },
  { name: "content_type", type: "text" },
  { name: "size", type: "int4" },
  { name: "sha256", type: "text" },
  { name: "content", type: "bytea" },
];

/**
 * On Postgres the rows go in with one binary COPY (copy.ts: the bytes are never turned into text).
 * PGlite cannot stream COPY: there each attachment is one INSERT with its bytes as base64 text decoded
 * by the database (the driver would send bytea as hex, twice the bytes), one statement at a time so a
 * batch holds the text of one attachment, not of all.
 */
export async function insertAttachments(db: Db, rows: NewAttachment[]): Promise<void> {
  const values = rows.map((r) => [r.messageId, r.filename, r.contentType, r.size, r.sha256, r.content ?? null]);
  if (await copyRows(db, getTableName(attachments), ATTACHMENT_COLUMNS, values)) return;
  for (const r of rows) {
    const content = r.content ? sql`decode(${Buffer.from(r.content.buffer, r.content.byteOffset, r.content.byteLength).toString("base64")}::text, 'base64')` : sql`null`;
    await db.execute(
      sql`insert into ${attachments} (message_id, filename, content_type, size, sha256, content)
          values (${r.messageId}::int, ${r.filename}::text, ${r.contentType}::text, ${r.size}::int, ${r.sha256}::text, ${content})`,
    );
  }
}

export async function listAttachments(db: Db, messageId: number): Promise<Attachment[]> {
  return db.select().from(attachments).where(eq(attachments.messageId, messageId)).orderBy(asc(attachments.id));
}

/** The stored bytes of these attachments (null once retention purged them), for the sender. */
export async function listAttachmentContents(db: Db, ids: number[]): Promise<Array<{ id: number; content: Uint8Array | null }>> {
  if (ids.length === 0) return [];
  return db.select({ id: attachments.id, content: attachments.content }).from(attachments).where(inArray(attachments.id, ids));
}

/** The number of the case a stored message (by Message-ID) joined or opened; null when none. */
export async function caseNumberOfMessage(db: Db, messageId: string): Promise<number | null> {
  const [row] = await db
    .select({ number: cases.number })
    .from(messages)
    .innerJoin(cases, eq(messages.caseId, cases.id))
    .where(eq(messages.messageId, messageId))
    .limit(1);
  return row?.number ?? null;
}
