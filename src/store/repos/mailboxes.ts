/**
 * Mailbox bookkeeping for the inbound sources: the mailboxes themselves, their read cursors, the
 * record of refused/quarantined mail, and the failure counter that sends a message to quarantine.
 */
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../database.js";
import { inboundRejections, mailboxCursors, mailboxes, processingAttempts } from "../schema/index.js";

export type Mailbox = typeof mailboxes.$inferSelect;
export type MailboxCursor = typeof mailboxCursors.$inferSelect;
export type Rejection = typeof inboundRejections.$inferSelect;
export type NewRejection = Omit<typeof inboundRejections.$inferInsert, "id">;

/** Mailboxes come from config; this keeps the table in step with it (by name). */
export async function upsertMailbox(db: Db, input: Omit<Mailbox, "id">): Promise<Mailbox> {
  const { name, ...rest } = input;
  const [row] = await db.insert(mailboxes).values(input).onConflictDoUpdate({ target: mailboxes.name, set: rest }).returning();
  return row!;
}

export async function listMailboxes(db: Db): Promise<Mailbox[]> {
  return db.select().from(mailboxes).orderBy(mailboxes.name);
}

export async function getCursor(db: Db, mailbox: string, folder: string): Promise<MailboxCursor | undefined> {
  const [row] = await db
    .select()
    .from(mailboxCursors)
    .where(and(eq(mailboxCursors.mailbox, mailbox), eq(mailboxCursors.folder, folder)));
  return row;
}

export async function setCursor(db: Db, cursor: MailboxCursor): Promise<void> {
  const { mailbox, folder, ...rest } = cursor;
  await db
    .insert(mailboxCursors)
    .values(cursor)
    .onConflictDoUpdate({ target: [mailboxCursors.mailbox, mailboxCursors.folder], set: rest });
}

export async function insertRejection(db: Db, row: NewRejection): Promise<Rejection> {
  const [created] = await db.insert(inboundRejections).values(row).returning();
  return created!;
}

export async function listRejections(db: Db, filter: { mailbox?: string; limit?: number } = {}): Promise<Rejection[]> {
  return db
    .select()
    .from(inboundRejections)
    .where(filter.mailbox ? eq(inboundRejections.mailbox, filter.mailbox) : undefined)
    .orderBy(desc(inboundRejections.at), desc(inboundRejections.id))
    .limit(filter.limit ?? 100);
}

/**
 * Keeps the raw bytes on the latest quarantined rejection of this message (by Message-ID, or the one
 * without one) in this mailbox that has none yet: a quarantine decision has no folder to keep them in.
 */
export async function attachRawToQuarantined(db: Db, mailbox: string, messageId: string | null, raw: Uint8Array): Promise<void> {
  const r = inboundRejections;
  const [row] = await db
    .select({ id: r.id })
    .from(r)
    .where(and(eq(r.mailbox, mailbox), eq(r.disposition, "quarantined"), isNull(r.raw), messageId ? eq(r.messageId, messageId) : isNull(r.messageId)))
    .orderBy(desc(r.id))
    .limit(1);
  if (row) await db.update(r).set({ raw }).where(eq(r.id, row.id));
}

/** The processing_attempts key of a source message; Maildir/stdin pass their own stable id as `uid`. */
export function sourceKey(mailbox: string, uidValidity: number | string, uid: number | string): string {
  return `${mailbox}:${uidValidity}:${uid}`;
}

/** Counts one more failure for a source message and returns the total so far. */
export async function recordProcessingFailure(db: Db, key: string, error: string, at: Date): Promise<number> {
  const [row] = await db
    .insert(processingAttempts)
    .values({ sourceKey: key, attempts: 1, lastError: error, updatedAt: at })
    .onConflictDoUpdate({
      target: processingAttempts.sourceKey,
      set: { attempts: sql`${processingAttempts.attempts} + 1`, lastError: error, updatedAt: at },
    })
    .returning({ attempts: processingAttempts.attempts });
  return row!.attempts;
}

export async function getProcessingAttempts(db: Db, key: string): Promise<number> {
  const [row] = await db.select().from(processingAttempts).where(eq(processingAttempts.sourceKey, key));
  return row?.attempts ?? 0;
}

/** Forgets the failures once the message has been processed or quarantined. */
export async function clearProcessingAttempts(db: Db, key: string): Promise<void> {
  await db.delete(processingAttempts).where(eq(processingAttempts.sourceKey, key));
}
