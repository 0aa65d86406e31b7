/**
 * Headers of everything we send, built from plain data. Customer input reaches header values
 * (subjects, names), so every value is flattened to one line: no CR/LF, no header injection.
 */
import { createHash } from "node:crypto";

export type OutgoingKind =
  | "acknowledgment"
  | "refusal"
  | "reminder"
  | "breach-alert"
  | "resolution-notice"
  | "relay"
  | "forward"
  | "command-error"
  | "digest"
  | "past-breaches"
  | "new-case"
  | "quarantine-notice"
  | "acknowledgment-combined"
  | "entitlement-notice"
  | "query-hours-notice"
  | "damaged-parts"
  | "board-sign-in"
  | "lifecycle-notice";

/** RFC 3834: replies we make automatically vs. mail we generate on our own schedule. */
const AUTO_SUBMITTED: Record<OutgoingKind, string | null> = {
  acknowledgment: "auto-replied",
  refusal: "auto-replied",
  "command-error": "auto-replied",
  reminder: "auto-generated",
  "breach-alert": "auto-generated",
  digest: "auto-generated",
  "past-breaches": "auto-generated",
  "new-case": "auto-generated",
  "quarantine-notice": "auto-generated",
  "acknowledgment-combined": "auto-replied",
  "resolution-notice": "auto-generated",
  "entitlement-notice": "auto-generated",
  "damaged-parts": "auto-replied",
  // A staff reply relayed to the customer, or a customer message forwarded to staff, is a person's words.
  relay: null,
  forward: null,
  "query-hours-notice": "auto-generated",
  "board-sign-in": "auto-generated",
  "lifecycle-notice": "auto-generated",
};

/** One line, no control characters, bounded length: safe to put in any header. */
export function headerSafe(value: string, maxLength = 900): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\r\n]+/g, " ").replace(/[\u0000-\u001f\u007f]/g, "").replace(/\s{2,}/g, " ").trim();
  return flat.length > maxLength ? flat.slice(0, maxLength - 1) + "…" : flat;
}

/**
 * Deterministic Message-ID from the outbox idempotency key and the installation's random id: a retried
 * send reuses the same id, and another installation (or this one after a reset to a new database) never
 * makes the same id for its case #1, which a mail client would hide as a duplicate. The outbox (queue.ts)
 * mixes the installation id in when it queues the mail.
 */
export function messageIdFor(idempotencyKey: string, supportDomain: string, installationId = ""): string {
  const digest = createHash("sha256").update(installationId ? `${installationId}\u0000${idempotencyKey}` : idempotencyKey).digest("hex").slice(0, 32);
  return `${digest}@${supportDomain}`;
}

/** The domain of a Message-ID ("…@support.example" → "support.example"). */
export function messageIdDomain(messageId: string): string {
  return messageId.slice(messageId.lastIndexOf("@") + 1);
}

/** "[Case #{number}]" with the number filled in. */
export function caseToken(format: string, caseNumber: number): string {
  return format.replace("{number}", String(caseNumber));
}

const REPLY_PREFIX = /^\s*((re|aw|sv|fw|fwd|wg|tr)\s*(\[\d+\])?\s*:\s*)+/i;

/** `Re: [Case #N] original subject`, without stacking prefixes or tokens. */
export function caseSubject(format: string, caseNumber: number, original: string): string {
  const token = caseToken(format, caseNumber);
  let rest = headerSafe(original).replace(REPLY_PREFIX, "");
  if (rest.includes(token)) rest = rest.replace(token, "").replace(/\s{2,}/g, " ").trim();
  rest = rest.replace(REPLY_PREFIX, "");
  return headerSafe(`Re: ${token} ${rest}`.trim());
}

export interface ThreadRefs {
  /** The customer's message we answer (without angle brackets). */
  inReplyTo: string | null;
  /** Its References plus its own id, oldest first. */
  references: string[];
}

/** In-Reply-To/References of an answer to `parent`, per RFC 5322 §3.6.4 (bounded to the last 20 ids). */
export function threadRefs(parent: { messageId: string | null; references: string[] } | null): ThreadRefs {
  if (!parent?.messageId) return { inReplyTo: null, references: parent?.references.slice(-20) ?? [] };
  const refs = [...parent.references.filter((r) => r !== parent.messageId), parent.messageId];
  return { inReplyTo: parent.messageId, references: refs.slice(-20) };
}

export interface StandardHeaders {
  "Auto-Submitted"?: string;
  "X-Loop": string;
  "X-Support-Inbox-Kind": string;
  "X-Auto-Response-Suppress"?: string;
}

/** The headers every outgoing message carries; X-Loop names our mailbox so our mail coming back is recognised. */
export function standardHeaders(kind: OutgoingKind, supportAddress: string): StandardHeaders {
  const auto = AUTO_SUBMITTED[kind];
  return {
    ...(auto ? { "Auto-Submitted": auto, "X-Auto-Response-Suppress": "All" } : {}),
    "X-Loop": headerSafe(supportAddress),
    "X-Support-Inbox-Kind": kind,
  };
}
