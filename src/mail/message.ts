/**
 * The plain, JSON-serialisable shape every inbound message is reduced to.
 * Produced by parseMessage (src/mail/parse.ts); consumed by the pure decision code
 * (classify, auth-results, template, severity, threading, cases/decide).
 * No mailparser types leak past this file: decision code must not depend on the parser.
 */

export interface MailAddress {
  /** Lowercased, trimmed address ("jane@customer.example"). */
  address: string;
  /** Display name as decoded ("Jane Doe"), "" when absent. */
  name: string;
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  /** Size of the decoded content in bytes. */
  size: number;
  /** Lowercase hex sha256 of the decoded content. */
  sha256: string;
  content: Uint8Array;
  contentId?: string;
  /** true for parts shown inside the HTML (Content-Disposition inline / cid: images). */
  inline: boolean;
  /**
   * Set when the part declared base64 but was not base64 (damaged-base64.ts): the content is then its
   * original encoded text, named `<name or part-N>.damaged-base64.txt`, of type text/plain.
   */
  damaged?: { encoding: "base64"; part: string; reason: string; declaredType: string; name: string | null };
}

export interface DroppedAttachment {
  filename: string;
  size: number;
  /** Why it was not kept: the message was over maxMessageBytes, or over maxAttachments. */
  reason: "message-too-large" | "too-many-attachments";
}

/**
 * Raw header values by lowercased name, one entry per occurrence, in message order
 * (topmost first). Values are unfolded but otherwise as written (not decoded),
 * e.g. headers["authentication-results"] = ["mx.vendor.example; dmarc=pass ..."].
 */
export type HeaderMap = Record<string, string[]>;

export interface NormalizedMessage {
  /** Message-ID without angle brackets; null when absent or empty. */
  messageId: string | null;
  /** First Message-ID in In-Reply-To, without angle brackets. */
  inReplyTo: string | null;
  /** Message-IDs from References, without angle brackets, oldest first. */
  references: string[];
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  /** Decoded subject ("" when absent). */
  subject: string;
  /** Date header as epoch milliseconds; null when absent or unparseable. */
  date: number | null;
  /** The text/plain body, or text derived from the HTML when there is no text part ("" if neither). */
  text: string;
  /** The text/html body, null when the message has none. */
  html: string | null;
  headers: HeaderMap;
  attachments: MailAttachment[];
  /** Size of the raw message in bytes. */
  rawSize: number;
  /** Lowercase hex sha256 of the raw bytes: the identity when there is no Message-ID. */
  contentHash: string;
  /** Top-level Content-Type is multipart/report (a DSN / MDN / feedback report). */
  isReport: boolean;
  /** multipart/report; report-type=... lowercased, null when not a report. */
  reportType: string | null;
  /**
   * For bounces/DSNs: Message-IDs (without <>) of the original message found in the
   * message/rfc822 or text/rfc822-headers part, or in the body text. Empty otherwise.
   */
  reportedMessageIds: string[];
  /** Attachments not kept because of limits (listed in the acknowledgment). */
  droppedAttachments: DroppedAttachment[];
  /** Non-fatal oddities found while parsing (unparseable date, missing From, ...). */
  warnings: string[];
}

export interface ParseLimits {
  /** Default 50 MB. Over it, the largest attachments are dropped until under. */
  maxMessageBytes: number;
  /** Extra attachments beyond this count are dropped (listed). */
  maxAttachments: number;
  /** A header block larger than this is refused with E_MAIL_HEADERS_TOO_LARGE. */
  maxHeaderBytes: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxMessageBytes: 50 * 1024 * 1024,
  maxAttachments: 50,
  maxHeaderBytes: 256 * 1024,
};

/** First value of a header (lowercase name), or undefined. */
export function headerValue(msg: Pick<NormalizedMessage, "headers">, name: string): string | undefined {
  return msg.headers[name.toLowerCase()]?.[0];
}

/** All values of a header (lowercase name), [] when absent. */
export function headerValues(msg: Pick<NormalizedMessage, "headers">, name: string): string[] {
  return msg.headers[name.toLowerCase()] ?? [];
}

/** Where MIME parsing runs: inline (parse-pool.ts inlineParser) or on worker threads (createParsePool). */
export interface MessageParser {
  /** Same contract as parseMessage: resolves a NormalizedMessage or rejects with MailParseError (same code, message, details). */
  parse(raw: Buffer, limits: ParseLimits): Promise<NormalizedMessage>;
  close(): Promise<void>;
  /** Parses worth having in flight at once: more only adds decoded messages held in memory. */
  readonly inFlight: number;
}
