/**
 * The "apply" step of the inbound pipeline: one decision's effects written in the caller's transaction.
 * The stored message row comes first: its unique Message-ID is what makes a second copy of the same mail
 * (re-delivery, a Cc to two support mailboxes, a crash before the source was told) a no-op.
 */
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { DecisionCommon, InboundDecision, RefusePlan } from "../cases/inbound.js";
import type { NormalizedMessage } from "../mail/message.js";
import { messageIdFor, standardHeaders, threadRefs } from "../outbox/headers.js";
import { enqueue, markBounced, type NewOutgoing } from "../outbox/queue.js";
import type { Db } from "../store/database.js";
import { insertRejection, type NewRejection } from "../store/repos/mailboxes.js";
import { insertAttachments, insertMessage, type NewMessage } from "../store/repos/messages.js";
import { messages } from "../store/schema/index.js";
import type { Desk } from "../desk.js";
import type { MailboxInfo } from "./load.js";
import { openCase } from "./open-case.js";
import { applyThreadEntry } from "../correspondence/thread-entry.js";

export interface InboundSource {
  mailbox: MailboxInfo;
  /** IMAP UIDVALIDITY/UID when numeric (Maildir file names are not). */
  uidValidity: number | null;
  uid: number | null;
  receivedAt: number | null;
}

export type AppliedOutcome =
  | { outcome: "duplicate" }
  | { outcome: InboundDecision["outcome"]; caseNumber?: number; quarantine?: string };

/**
 * What makes two copies of a message the same: its Message-ID; for mail without one, a digest of what
 * the sender wrote (trace headers, which differ between copies, left out), kept in the same unique
 * column so the database itself turns a second copy into a duplicate.
 */
export function messageIdentity(msg: NormalizedMessage): string {
  if (msg.messageId) return msg.messageId;
  const hash = createHash("sha256");
  const parts = [
    msg.from?.address ?? "",
    msg.to.map((a) => a.address).join(","),
    msg.cc.map((a) => a.address).join(","),
    String(msg.date ?? ""),
    msg.subject,
    msg.text,
    ...msg.attachments.map((a) => a.sha256),
  ];
  for (const part of parts) hash.update(part).update("\u0000");
  return `${hash.digest("hex").slice(0, 40)}@no-message-id.invalid`;
}

export async function alreadyStored(tx: Db, msg: NormalizedMessage): Promise<boolean> {
  const rows = await tx.select({ id: messages.id }).from(messages).where(eq(messages.messageId, messageIdentity(msg))).limit(1);
  return rows.length > 0;
}

/** The stored row of an inbound message. Pure. */
export function messageRow(msg: NormalizedMessage, src: InboundSource, now: number): NewMessage {
  return {
    mailbox: src.mailbox.name,
    direction: "in",
    messageId: messageIdentity(msg),
    inReplyTo: msg.inReplyTo,
    references: msg.references,
    from: msg.from?.address ?? "",
    to: msg.to.map((a) => a.address),
    cc: msg.cc.map((a) => a.address),
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    receivedAt: new Date(src.receivedAt ?? now),
    rawSize: msg.rawSize,
    sourceUidValidity: src.uidValidity,
    sourceUid: src.uid,
    contentHash: msg.contentHash,
  };
}

async function storeMessage(tx: Db, msg: NormalizedMessage, src: InboundSource, now: number) {
  const row = await insertMessage(tx, messageRow(msg, src, now));
  if (row && msg.attachments.length) {
    await insertAttachments(
      tx,
      msg.attachments.map((a) => ({ messageId: row.id, filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, content: a.content })),
    );
  }
  return row;
}

export async function applyDecision(
  tx: Db,
  desk: Desk,
  msg: NormalizedMessage,
  decision: InboundDecision,
  src: InboundSource,
  now: number,
): Promise<AppliedOutcome> {
  const stored = await storeMessage(tx, msg, src, now);
  if (!stored) return { outcome: "duplicate" };
  switch (decision.outcome) {
    case "new-case": {
      const created = await openCase(tx, { desk, plan: decision, msg, messageRowId: stored.id, now });
      return { outcome: "new-case", caseNumber: created.number };
    }
    case "thread": {
      if (decision.bounceOf?.length) await markBounced(tx, decision.bounceOf, `bounce: ${msg.subject}`);
      await applyThreadEntry(tx, { desk, decision, msg, messageRowId: stored.id, now });
      return { outcome: "thread", caseNumber: decision.caseNumber };
    }
    case "refuse":
      await insertRejection(tx, rejectionRow(msg, src, "refused", decision.reason, decision.detail, now));
      if (decision.reply) await enqueueIfAny(tx, refusalMessage(desk, msg, decision), now);
      return { outcome: "refuse" };
    case "ignore":
      if (decision.bounceOf?.length) await markBounced(tx, decision.bounceOf, `bounce: ${msg.subject}`);
      await insertRejection(tx, rejectionRow(msg, src, "ignored", decision.kind ?? "ignored", decision.reason, now));
      return { outcome: "ignore" };
    case "quarantine":
      await insertRejection(tx, rejectionRow(msg, src, "quarantined", "unverified-sender", decision.reason, now));
      return { outcome: "quarantine", quarantine: decision.reason };
  }
}

async function enqueueIfAny(tx: Db, row: NewOutgoing | null, now: number) {
  if (row) await enqueue(tx, row, now);
}

/** The record of a message that opened nothing (refused, ignored, quarantined). Pure. */
export function rejectionRow(
  msg: NormalizedMessage,
  src: InboundSource,
  disposition: "refused" | "ignored" | "quarantined",
  reasonCode: string,
  detail: string,
  now: number,
): NewRejection {
  return {
    mailbox: src.mailbox.name,
    messageId: msg.messageId,
    sourceUidValidity: src.uidValidity,
    sourceUid: src.uid,
    from: msg.from?.address ?? null,
    subject: msg.subject,
    reasonCode,
    detail,
    disposition,
    at: new Date(now),
  };
}

/** The polite reply to a sender who may not open a case; null when there is no address to answer. Pure. */
export function refusalMessage(desk: Desk, msg: NormalizedMessage, plan: DecisionCommon & RefusePlan): NewOutgoing | null {
  const to = msg.from?.address;
  if (!to) return null;
  const key = `refusal:${messageIdentity(msg)}`;
  const body = desk.templates.render("refusal", {
    senderName: msg.from?.name || null,
    senderAddress: to,
    subject: msg.subject,
    organizationName: plan.reason === "unknown-sender" ? null : plan.organizationName,
    ineligible: plan.reason === "ineligible" ? plan.detail : null,
    supportAddress: desk.fromAddress,
  });
  return {
    idempotencyKey: key,
    kind: "refusal",
    caseId: null,
    from: desk.fromAddress,
    to: [to],
    replyTo: desk.fromAddress,
    subject: `Re: ${msg.subject || "your message"}`.slice(0, 900),
    messageId: messageIdFor(key, desk.supportDomain),
    ...threadRefs({ messageId: msg.messageId, references: msg.references }),
    headers: { ...standardHeaders("refusal", desk.fromAddress) },
    text: body.text,
    html: body.html,
  };
}

