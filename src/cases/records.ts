/**
 * The rows that record an inbound message and a message that opened nothing (refused, ignored,
 * quarantined), as plain data: the inbound pipeline writes them, and a message's identity is what makes
 * a second copy of it a duplicate. Pure.
 */
import { createHash } from "node:crypto";
import type { NormalizedMessage } from "../mail/message.js";

/** Where an inbound message came from. */
export interface InboundSource {
  mailbox: { name: string; address: string; defaultPolicy: string };
  /** IMAP UIDVALIDITY/UID when numeric (Maildir file names are not). */
  uidValidity: number | null;
  uid: number | null;
  /** When the mailbox received it (IMAP INTERNALDATE, Maildir delivery time, `ingest` call or --received-at); null: unknown. */
  receivedAt: number | null;
  /** The message's bytes, kept with it should it be quarantined (so `quarantine retry` can replay it). */
  raw?: Uint8Array;
}

/**
 * The instant a message counts from: when its mailbox received it, so a worker that read it three hours late
 * gives nobody three extra hours. Never later than `now` (a server clock ahead of ours, a Maildir name from the
 * future) and never the Date: header, which the sender sets. Unknown receipt: the moment we read it.
 */
export function receiptInstant(src: Pick<InboundSource, "receivedAt">, now: number): number {
  const at = src.receivedAt;
  return at === null || !Number.isFinite(at) ? now : Math.min(at, now);
}

export interface InboundMessageRecord {
  mailbox: string;
  direction: "in";
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string | null;
  html: string | null;
  receivedAt: Date;
  rawSize: number;
  sourceUidValidity: number | null;
  sourceUid: number | null;
  contentHash: string | null;
}

export type Disposition = "refused" | "ignored" | "quarantined";

export interface RejectionRecord {
  mailbox: string;
  messageId: string | null;
  sourceUidValidity: number | null;
  sourceUid: number | null;
  from: string | null;
  subject: string | null;
  reasonCode: string;
  detail: string;
  disposition: Disposition;
  at: Date;
}

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

export function messageRecord(msg: NormalizedMessage, src: InboundSource, now: number): InboundMessageRecord {
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
    receivedAt: new Date(receiptInstant(src, now)),
    rawSize: msg.rawSize,
    sourceUidValidity: src.uidValidity,
    sourceUid: src.uid,
    contentHash: msg.contentHash,
  };
}

export function rejectionRecord(msg: NormalizedMessage, src: InboundSource, disposition: Disposition, reasonCode: string, detail: string, now: number): RejectionRecord {
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
