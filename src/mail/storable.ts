/**
 * Text a database can store. Postgres `text` (and json/jsonb) rejects NUL (0x00), and a lone UTF-16
 * surrogate is not Unicode at all: the driver turns it into U+FFFD on the wire, but inside the JSON that
 * bulk inserts send it stays a `\udXXX` escape that Postgres refuses. Anything a mail says can carry
 * either (a NUL decoded from base64, an encoded-word, an RFC 2231 file name), so the NormalizedMessage
 * is made storable once, where it is built, and every row derived from it is storable too. Pure.
 */
import type { MailAddress, MailAttachment, NormalizedMessage } from "./message.js";

const SUSPECT = /[\u0000\ud800-\udfff]/;
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `s` without NUL (dropped: it carries nothing a reader sees, and a marker in its place would change
 * words like "hello\0world" into something else) and with lone surrogates as U+FFFD, the character the
 * UTF-8 encoder would have written for them anyway. Strings that need nothing are returned as they are.
 */
export function storableText(s: string): string {
  return SUSPECT.test(s) ? s.replace(NUL, "").replace(LONE_SURROGATE, "\ufffd") : s;
}

/**
 * The longest Message-ID kept, in UTF-8 bytes: a header line may not be longer (RFC 5322 §2.1.1), and
 * the ids live in unique btree indexes (messages.message_id, outbox idempotency keys) whose entries
 * Postgres caps at about 2.7 kB. A longer one is no usable id: the message is identified as one without.
 */
export const MAX_MESSAGE_ID_BYTES = 998;

export const usableMessageId = (id: string): boolean => Buffer.byteLength(id, "utf8") <= MAX_MESSAGE_ID_BYTES;

const address = (a: MailAddress): MailAddress => ({ address: storableText(a.address), name: storableText(a.name) });

function attachment(a: MailAttachment): MailAttachment {
  // The content is bytes (bytea) and stays exactly as decoded.
  const out: MailAttachment = { ...a, filename: storableText(a.filename), contentType: storableText(a.contentType) };
  if (a.contentId !== undefined) out.contentId = storableText(a.contentId);
  return out;
}

/** Every string of `msg` made storable; bytes (attachment content) and numbers untouched. */
export function storableMessage(msg: NormalizedMessage): NormalizedMessage {
  const text = storableText;
  const headers: NormalizedMessage["headers"] = {};
  for (const [name, values] of Object.entries(msg.headers)) (headers[text(name)] ??= []).push(...values.map(text));
  return {
    ...msg,
    messageId: msg.messageId === null ? null : text(msg.messageId),
    inReplyTo: msg.inReplyTo === null ? null : text(msg.inReplyTo),
    references: msg.references.map(text),
    from: msg.from === null ? null : address(msg.from),
    to: msg.to.map(address),
    cc: msg.cc.map(address),
    replyTo: msg.replyTo.map(address),
    subject: text(msg.subject),
    text: text(msg.text),
    html: msg.html === null ? null : text(msg.html),
    headers,
    attachments: msg.attachments.map(attachment),
    reportType: msg.reportType === null ? null : text(msg.reportType),
    reportedMessageIds: msg.reportedMessageIds.map(text),
    droppedAttachments: msg.droppedAttachments.map((d) => ({ ...d, filename: text(d.filename) })),
    warnings: msg.warnings.map(text),
  };
}
