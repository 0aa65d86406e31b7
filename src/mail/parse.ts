/**
 * Raw RFC 5322 bytes → NormalizedMessage, with mailparser (charsets via iconv-lite,
 * encoded words, MIME trees). No other I/O. Every failure comes out as MailParseError.
 */
import { createHash } from "node:crypto";
import { parseAddressHeader, simpleParser, type AddressObject, type Attachment, type ParsedMail } from "mailparser";
import { AppError } from "../errors.js";
import { normalizeAddress } from "./address.js";
import { htmlToText } from "./html-text.js";
import type { DroppedAttachment, HeaderMap, MailAddress, MailAttachment, NormalizedMessage, ParseLimits } from "./message.js";
import { DAMAGED_HEADER, markDamagedBase64, type MarkedMessage } from "./damaged-base64.js";
import { transcodeRawHeaders } from "./raw-headers.js";
import { storableMessage, usableMessageId } from "./storable.js";

export class MailParseError extends AppError {
  constructor(code: "E_MAIL_HEADERS_TOO_LARGE" | "E_MAIL_UNPARSEABLE", message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(code, message, details, { cause });
    this.name = "MailParseError";
  }
}

const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

export async function parseMessage(raw: Buffer | Uint8Array, limits: ParseLimits): Promise<NormalizedMessage> {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const headerBytes = headerBlockLength(bytes);
  if (headerBytes > limits.maxHeaderBytes) {
    throw new MailParseError(
      "E_MAIL_HEADERS_TOO_LARGE",
      `message header block is ${headerBytes} bytes, over the limit of ${limits.maxHeaderBytes} (raise limits.maxHeaderBytes in the config to accept it)`,
      { headerBytes, maxHeaderBytes: limits.maxHeaderBytes },
    );
  }
  // Raw 8-bit header bytes that are not UTF-8 are read in the charset detected for them (raw-headers.ts).
  const headers = transcodeRawHeaders(bytes, headerBytes);
  const notes = headers.charset ? [`raw 8-bit header bytes read as ${headers.charset} (${headers.how})`] : [];
  // Base64 parts that are not base64 become attachments of their encoded bytes, not garbage (damaged-base64.ts).
  const marked = markDamagedBase64(headers.bytes);
  let parsed: ParsedMail;
  try {
    // We derive text from HTML ourselves (html-text.ts) and never use the HTML renderings
    // of text, so those conversions are skipped (they cost CPU on every message). The attachment
    // checksum mailparser computes anyway (MD5 by default) is the SHA-256 we store, hashed while the
    // bytes stream by rather than in a second pass.
    parsed = await simpleParser(marked.bytes, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, checksumAlgo: "sha256" });
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new MailParseError("E_MAIL_UNPARSEABLE", `message could not be parsed as MIME: ${why}`, { rawSize: bytes.length }, cause);
  }
  try {
    // Made storable here, once: every row and template field derived from the message is then storable too.
    return storableMessage(normalize(parsed, bytes, limits, notes, marked));
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new MailParseError("E_MAIL_UNPARSEABLE", `message could not be normalized: ${why}`, { rawSize: bytes.length }, cause);
  }
}

function normalize(parsed: ParsedMail, bytes: Buffer, limits: ParseLimits, notes: string[], marked: MarkedMessage): NormalizedMessage {
  const warnings: string[] = [...notes];
  const headers = headerMap(parsed);
  const first = (name: string): string | undefined => headers[name]?.[0];

  const messageId = firstMessageId(first("message-id"));
  if (first("message-id") !== undefined && messageId === null) warnings.push(`unusable Message-ID header: ${first("message-id")}`);
  const date = parseDate(first("date"));
  if (first("date") !== undefined && date === null) warnings.push(`unparseable Date header: ${first("date")}`);
  const fromList = fromAddresses(parsed, headers, warnings);
  if (fromList.length === 0) warnings.push("no usable From address");

  const html = typeof parsed.html === "string" ? parsed.html : null;
  const plain = typeof parsed.text === "string" ? parsed.text : "";
  let text = plain.trim() === "" && html !== null ? htmlToText(html) : plain;

  const all = parsed.attachments.map((a) => toAttachment(a, marked));
  for (const a of all) if (a.damaged) warnings.push(`part ${a.damaged.part} is not valid base64 (${a.damaged.reason}): kept as ${a.filename}`);
  if (text.trim() === "" && html === null && all.length === 0) {
    // A broken MIME structure (e.g. empty boundary) leaves no parts: keep the raw body
    // readable rather than store an empty request.
    text = rawBodyText(bytes);
    if (text !== "") warnings.push("MIME structure not understood; raw body kept as text");
  }
  const { kept, dropped } = applyAttachmentLimits(all, bytes.length, limits);
  const contentType = parsed.headers.get("content-type") as { value?: string; params?: Record<string, string> } | undefined;
  const isReport = contentType?.value?.toLowerCase() === "multipart/report";

  return {
    messageId,
    inReplyTo: firstMessageId(first("in-reply-to")),
    references: allMessageIds(headers["references"]?.join(" ")),
    from: fromList[0] ?? null,
    to: addresses(parsed.to, warnings, "To"),
    cc: addresses(parsed.cc, warnings, "Cc"),
    replyTo: addresses(parsed.replyTo, warnings, "Reply-To"),
    subject: (parsed.subject ?? "").replace(/\s+/g, " ").trim(),
    date,
    text,
    html,
    headers,
    attachments: kept,
    rawSize: bytes.length,
    contentHash: sha256(bytes),
    isReport,
    reportType: isReport ? (contentType?.params?.["report-type"] ?? "").toLowerCase() || null : null,
    reportedMessageIds: reportedIds(all, isReport ? rawBodyText(bytes) : text),
    droppedAttachments: dropped satisfies DroppedAttachment[],
    warnings,
  };
}

/** Bytes before the blank line that ends the header block (all bytes if there is none). */
export function headerBlockLength(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 1;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 1;
  }
  return bytes.length;
}

function rawBodyText(bytes: Buffer): string {
  const body = bytes.subarray(headerBlockLength(bytes)).toString("utf8");
  return body.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/g, "").replace(/\r\n/g, "\n").trim();
}

/** Lowercased name → raw values (unfolded, trimmed), in message order. */
function headerMap(parsed: ParsedMail): HeaderMap {
  const map: HeaderMap = {};
  for (const { key, line } of parsed.headerLines ?? []) {
    const colon = line.indexOf(":");
    const value = utf8Header((colon >= 0 ? line.slice(colon + 1) : "").replace(/\r?\n(?=[ \t])/g, "").trim());
    const name = key.toLowerCase();
    (map[name] ??= []).push(value);
  }
  return map;
}

/**
 * mailparser hands header lines over byte for byte (as latin1 code units); UTF-8 header bytes (RFC 6532, and
 * every 8-bit header after transcodeRawHeaders) are read as UTF-8, anything else stays as it was.
 */
function utf8Header(binary: string): string {
  if (!/[\u0080-\u00ff]/.test(binary)) return binary;
  const text = Buffer.from(binary, "latin1").toString("utf8");
  return text.includes("\ufffd") ? binary : text;
}

/**
 * Ids in angle brackets, without them; a bare id with "@" and no spaces is accepted too. Ids longer
 * than a header line may be (storable.ts) are no ids.
 */
export function allMessageIds(value: string | undefined): string[] {
  if (value === undefined) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] as string);
  if (bracketed.length > 0) return bracketed.filter(usableMessageId);
  const bare = value.trim().replace(/^<|>$/g, "");
  return /^[^\s<>@]+@[^\s<>@]+$/.test(bare) && usableMessageId(bare) ? [bare] : [];
}

const firstMessageId = (value: string | undefined): string | null => allMessageIds(value)[0] ?? null;

function parseDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  // Date.parse understands RFC 5322 dates; drop trailing comments like "(UTC)" first.
  const ms = Date.parse(value.replace(/\([^)]*\)\s*$/, "").trim());
  return Number.isFinite(ms) ? ms : null;
}

/**
 * The first From header with a valid address. Broken mailers and forms write two From headers, the
 * first garbage; mailparser reads only the first, so the later ones are read here, as large helpdesks do.
 */
function fromAddresses(parsed: ParsedMail, headers: HeaderMap, warnings: string[]): MailAddress[] {
  const first = addresses(parsed.from, warnings, "From");
  if (first.length > 0) return first;
  for (const value of (headers["from"] ?? []).slice(1)) {
    const later = addresses(parseAddressHeader(value), warnings, "From");
    if (later.length > 0) {
      warnings.push("first From header has no usable address: a later From header used");
      return later;
    }
  }
  return [];
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

function addresses(field: AddressObject | AddressObject[] | undefined, warnings: string[], label: string): MailAddress[] {
  if (field === undefined) return [];
  const out: MailAddress[] = [];
  const visit = (entries: AddressObject["value"]): void => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address && ADDRESS.test(e.address.trim()) && !e.address.includes("..")) {
        out.push({ address: normalizeAddress(e.address), name: (e.name ?? "").trim() });
      } else if (e.address) warnings.push(`invalid ${label} address ignored: ${e.address}`);
    }
  };
  for (const obj of Array.isArray(field) ? field : [field]) visit(obj.value);
  return out;
}

function toAttachment(a: Attachment, marked: MarkedMessage): MailAttachment {
  const content = new Uint8Array(a.content.buffer, a.content.byteOffset, a.content.byteLength);
  const damaged = damageOf(a, marked);
  const att: MailAttachment = {
    // Its original encoded text: named so that nobody takes it for the file itself.
    filename: damaged ? `${a.filename ?? `part-${damaged.part}`}.damaged-base64.txt` : (a.filename ?? defaultFilename(a.contentType)),
    contentType: damaged ? "text/plain" : a.contentType,
    size: a.content.byteLength,
    sha256: a.checksum,
    content,
    inline: a.contentDisposition === "inline" || a.related === true,
  };
  if (a.cid) att.contentId = a.cid;
  if (damaged) att.damaged = { encoding: "base64", ...damaged, declaredType: a.contentType, name: a.filename ?? null };
  return att;
}

/** The damage markDamagedBase64 found in this part; a marker header the sender wrote matches none. */
function damageOf(a: Attachment, marked: MarkedMessage): MarkedMessage["damaged"][number] | undefined {
  if (marked.damaged.length === 0) return undefined;
  const mark = a.headers.get(DAMAGED_HEADER);
  if (typeof mark !== "string" || !mark.startsWith(`${marked.marker}/`)) return undefined;
  return marked.damaged[Number(mark.slice(marked.marker.length + 1))];
}

function defaultFilename(contentType: string): string {
  if (contentType === "message/rfc822") return "message.eml";
  if (contentType === "text/rfc822-headers") return "headers.txt";
  return "attachment";
}

/**
 * Message-IDs of the original message inside a bounce: from message/rfc822 or
 * text/rfc822-headers parts, else from "Message-ID:" lines quoted in the body (qmail style; for a report,
 * the raw body: mailparser shows an inline message/rfc822 part without its Message-ID).
 * Only meaningful when classification says bounce; decision code matches them to the outbox.
 */
function reportedIds(attachments: MailAttachment[], text: string): string[] {
  const fromParts = attachments
    .filter((a) => a.contentType === "message/rfc822" || a.contentType === "text/rfc822-headers")
    .flatMap((a) => messageIdLines(Buffer.from(a.content).toString("utf8").split(/\r?\n\r?\n/)[0] ?? ""));
  const ids = fromParts.length > 0 ? fromParts : messageIdLines(text);
  return [...new Set(ids)];
}

function messageIdLines(block: string): string[] {
  return [...block.matchAll(/^[ \t>]*Message-ID:[ \t]*<([^<>\s]+)>/gim)].map((m) => m[1] as string);
}

/** Bytes an attachment of this decoded size takes in the raw message (base64, 76-char lines). */
const encodedSize = (size: number): number => Math.ceil((Math.ceil(size / 3) * 4 * 78) / 76);

/**
 * Over maxAttachments: the extras (in message order) are dropped. Over maxMessageBytes:
 * the largest remaining attachments are dropped until the estimated size fits, so the
 * case still opens with the text and the smaller files (the acknowledgment lists the rest).
 */
export function applyAttachmentLimits(
  all: MailAttachment[],
  rawSize: number,
  limits: Pick<ParseLimits, "maxMessageBytes" | "maxAttachments">,
): { kept: MailAttachment[]; dropped: DroppedAttachment[] } {
  const dropped: DroppedAttachment[] = [];
  const keep = all.slice(0, Math.max(0, limits.maxAttachments));
  let estimated = rawSize;
  for (const a of all.slice(keep.length)) {
    dropped.push({ filename: a.filename, size: a.size, reason: "too-many-attachments" });
    estimated -= encodedSize(a.size);
  }
  const bySizeDesc = [...keep].sort((a, b) => b.size - a.size);
  const tooLarge = new Set<MailAttachment>();
  for (const a of bySizeDesc) {
    if (estimated <= limits.maxMessageBytes) break;
    tooLarge.add(a);
    dropped.push({ filename: a.filename, size: a.size, reason: "message-too-large" });
    estimated -= encodedSize(a.size);
  }
  return { kept: keep.filter((a) => !tooLarge.has(a)), dropped };
}
