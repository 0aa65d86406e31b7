/** Quarantined and refused mail as a person sees it (`quarantine`, `refusals` commands), and a retry's claim. */
import { and, desc, eq, gte, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "../database.js";
import { inboundRejections, messages, outbox } from "../schema/index.js";
import type { Rejection } from "./mailboxes.js";

export async function listByDisposition(db: Db, disposition: "quarantined" | "refused", since: Date | null): Promise<Array<Rejection & { replyState: string | null }>> {
  const r = inboundRejections;
  return db
    .select({ ...getColumns(), replyState: outbox.state })
    .from(r)
    .leftJoin(outbox, eq(outbox.idempotencyKey, r.replyKey))
    .where(and(eq(r.disposition, disposition), since ? gte(r.at, since) : undefined))
    .orderBy(desc(r.at), desc(r.id));
}

const getColumns = () => {
  const r = inboundRejections;
  return { id: r.id, mailbox: r.mailbox, messageId: r.messageId, sourceUidValidity: r.sourceUidValidity, sourceUid: r.sourceUid, from: r.from, subject: r.subject,
    reasonCode: r.reasonCode, detail: r.detail, disposition: r.disposition, attempts: r.attempts, at: r.at, raw: r.raw, replyKey: r.replyKey,
    replyWithheld: r.replyWithheld, retriedAt: r.retriedAt, retryOutcome: r.retryOutcome };
};

export async function getQuarantined(db: Db, id: number): Promise<Rejection | undefined> {
  const [row] = await db.select().from(inboundRejections).where(and(eq(inboundRejections.id, id), eq(inboundRejections.disposition, "quarantined")));
  return row;
}

/**
 * Takes the one retry of a quarantined message: the row is marked retried only if it was not yet, and a
 * concurrent retry waits on the row lock, then finds it taken. undefined: not ours to retry.
 */
export async function claimRetry(tx: Db, id: number, at: Date): Promise<Rejection | undefined> {
  const [row] = await tx
    .update(inboundRejections)
    .set({ retriedAt: at, retryOutcome: "running" })
    .where(and(eq(inboundRejections.id, id), eq(inboundRejections.disposition, "quarantined"), isNull(inboundRejections.retriedAt), isNotNull(inboundRejections.raw)))
    .returning();
  return row;
}

export async function setRetryOutcome(tx: Db, id: number, outcome: string): Promise<void> {
  await tx.update(inboundRejections).set({ retryOutcome: outcome }).where(eq(inboundRejections.id, id));
}

/**
 * Forgets the stored row of a quarantined inbound message that joined no case (a quarantine decision
 * stores the message first), so its retry is not taken for a duplicate of itself.
 */
export async function forgetQuarantinedInbound(tx: Db, messageId: string): Promise<void> {
  await tx.delete(messages).where(and(eq(messages.messageId, messageId), isNull(messages.caseId), eq(messages.direction, "in")));
}
