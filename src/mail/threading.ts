/**
 * Which case a message belongs to (pure). Load → decide: `threadLookupKeys` says what the caller must
 * look up (the Message-IDs the message answers, the case token in its subject); `threadDecision` decides
 * from the results.
 *
 * In-Reply-To/References join whoever sends them: they carry Message-IDs of the case's mail, which only
 * people on the thread have. A subject token is easy to type or forge, so it joins only when the sender is a
 * participant of that case or a contact of its organization; anyone else is a new request and goes through
 * the "who may open a case" checks.
 */
import { AppError } from "../errors.js";
import { normalizeAddress } from "./address.js";
import type { NormalizedMessage } from "./message.js";

export const DEFAULT_CASE_TOKEN_FORMAT = "[Case #{number}]";

export type ThreadDecision =
  | { kind: "join"; caseNumber: number; via: "in-reply-to" | "references" | "token" }
  | { kind: "new"; reason?: string };

export interface TokenCase {
  number: number;
  /** Addresses that have written or been copied on the case. */
  participants: string[];
  /** Addresses of every contact (DTC or not) of the case's organization. */
  organizationContacts: string[];
}

export interface ThreadInput {
  msg: Pick<NormalizedMessage, "inReplyTo" | "references" | "subject">;
  /** Our look-up results for the message's In-Reply-To and References: Message-ID → case number. */
  byMessageId: ReadonlyMap<string, number>;
  /** The case named by the subject token, as loaded; null when there is no token or no such case. */
  tokenCase: TokenCase | null;
  /** The sender's address. */
  sender: string;
  /** To explain a token that names no case; default "[Case #{number}]". */
  caseTokenFormat?: string;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * "[Case #{number}]" → a pattern that tolerates spacing and case: "[case # 1234]", "[Case#1234 ]".
 * Reply prefixes need no handling: the token is searched anywhere in the subject.
 */
function tokenPattern(format: string): RegExp {
  const at = format.indexOf("{number}");
  if (at < 0) throw new AppError("E_CASE_TOKEN_FORMAT", `case token format "${format}" must contain {number}, e.g. "[Case #{number}]"`);
  const literal = (part: string): string =>
    (part.match(/\w+|[^\w\s]/g) ?? []).map(escapeRe).join("\\s*");
  const before = literal(format.slice(0, at));
  const after = literal(format.slice(at + "{number}".length));
  // A word before the number must not be the tail of a longer word ("Showcase #12").
  const lead = /^\w/.test(format.trim()) ? "\\b" : "";
  return new RegExp(`${lead}${before}${before ? "\\s*" : ""}(\\d{1,12})${after ? "\\s*" : "(?!\\d)"}${after}`, "i");
}

/** The case number in a subject's token, or null. */
export function extractCaseToken(subject: string, format: string = DEFAULT_CASE_TOKEN_FORMAT): number | null {
  const m = tokenPattern(format).exec(subject);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * What the caller must load before deciding: the case of each Message-ID (In-Reply-To, References, and for a
 * bounce the messages it reports) and the case the subject token names.
 */
export function threadLookupKeys(
  msg: Pick<NormalizedMessage, "inReplyTo" | "references" | "subject"> & Partial<Pick<NormalizedMessage, "reportedMessageIds">>,
  format: string = DEFAULT_CASE_TOKEN_FORMAT,
): { messageIds: string[]; caseToken: number | null } {
  const ids = [msg.inReplyTo, ...msg.references, ...(msg.reportedMessageIds ?? [])].filter((id): id is string => Boolean(id));
  return { messageIds: [...new Set(ids)], caseToken: extractCaseToken(msg.subject, format) };
}

export function threadDecision(input: ThreadInput): ThreadDecision {
  const { msg, byMessageId } = input;
  if (msg.inReplyTo) {
    const n = byMessageId.get(msg.inReplyTo);
    if (n !== undefined) return { kind: "join", caseNumber: n, via: "in-reply-to" };
  }
  // Newest reference first: a thread that was split keeps to its latest case.
  for (const id of [...msg.references].reverse()) {
    const n = byMessageId.get(id);
    if (n !== undefined) return { kind: "join", caseNumber: n, via: "references" };
  }
  return tokenDecision(input);
}

function tokenDecision(input: ThreadInput): ThreadDecision {
  const token = extractCaseToken(input.msg.subject, input.caseTokenFormat);
  const tc = input.tokenCase;
  if (!tc) return token === null ? { kind: "new" } : { kind: "new", reason: `the subject names case #${token}, which does not exist` };
  const sender = normalizeAddress(input.sender);
  const known = (list: string[]) => list.some((a) => normalizeAddress(a) === sender);
  if (known(tc.participants) || known(tc.organizationContacts)) return { kind: "join", caseNumber: tc.number, via: "token" };
  return {
    kind: "new",
    reason: `the subject names case #${tc.number}, but ${sender || "the sender"} is neither a participant of it nor a contact of its organization`,
  };
}

/** Alias under the name the design notes use. */
export const findThread = threadDecision;
