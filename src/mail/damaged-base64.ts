/**
 * MIME parts declared `Content-Transfer-Encoding: base64` whose body is not base64 (a character outside the
 * alphabet, a length that is not whole 4-character groups, data after the padding: a truncated upload, a
 * mailer that mangled it). mailparser decodes them anyway, silently skipping what it cannot read, and a
 * text part would be stored as garbage. Here, before mailparser sees the message, such a part is re-declared
 * as an attachment carrying its original encoded bytes (8bit, so nothing is decoded) and marked with a header
 * only this parse can have written; parse.ts names it `<name>.damaged-base64.txt` and the case and the
 * acknowledgment say it could not be read. Pure: bytes in, bytes out.
 */
import { createHash } from "node:crypto";

export interface DamagedPart {
  /** The part's place in the MIME tree, IMAP style ("2", "1.3"; "1" for a message that is one part). */
  part: string;
  /** What is wrong with the encoding, for a person: "'!' at character 8 is not base64". */
  reason: string;
}

export interface MarkedMessage {
  /** The message with its damaged parts re-declared; the same Buffer when there were none. */
  bytes: Buffer;
  damaged: DamagedPart[];
  /**
   * The marker header's value prefix for this message; `${marker}/${index}` marks damaged[index]. Empty when
   * nothing is damaged: then no marker header in the message is ours.
   */
  marker: string;
}

export const DAMAGED_HEADER = "x-support-inbox-damaged-base64";

/**
 * Why `body` (a base64 part's bytes) is not base64, or null when it is. Whitespace and line breaks are
 * ignored; concatenated padded chunks ("QQ==QUI=", a mailer encoding line by line) are accepted.
 */
export function base64Damage(body: Uint8Array): string | null {
  // One tight pass over bytes that may be megabytes (every base64 attachment goes through here): no
  // per-byte work beyond a table lookup; where the damage is (line, column) is only worked out once found.
  let inGroup = 0; // characters of the current 4-character group seen
  let pad = 0; // '=' seen in the current group
  let count = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const b = body[i]!;
    const kind = KIND[b]!;
    if (kind === SPACE) continue;
    count++;
    if (kind === PAD) {
      if (inGroup < 2) return `'=' padding at ${where(body, i)} where no group ends`;
      pad++;
    } else if (kind === ALPHABET) {
      if (pad > 0) return `data after the '=' padding at ${where(body, i)}`;
    } else {
      const shown = b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, "0")}`;
      return `${shown} at ${where(body, i)} is not base64`;
    }
    inGroup++;
    if (inGroup === 4) {
      inGroup = 0;
      pad = 0;
    }
  }
  if (inGroup !== 0) return `ends part-way through a group: ${count} base64 characters, not a multiple of 4 (truncated?)`;
  return null;
}

/** Where a person opening the .damaged-base64.txt file finds byte `at`: "line L, column C" (1-based). */
function where(body: Uint8Array, at: number): string {
  let line = 1;
  let lineStart = 0; // index just after the last line feed before `at`
  for (let i = 0; i < at; i++) {
    if (body[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${at - lineStart + 1}`;
}

const [ALPHABET, PAD, SPACE, OTHER] = [0, 1, 2, 3] as const;
/** Byte → ALPHABET, PAD ('='), SPACE (space, tab, CR, LF: ignored) or OTHER. */
const KIND: Uint8Array = (() => {
  const kind = new Uint8Array(256).fill(OTHER);
  for (let b = 0; b < 256; b++) if (isAlphabet(b)) kind[b] = ALPHABET;
  kind[0x3d] = PAD;
  for (const b of [0x20, 0x09, 0x0d, 0x0a]) kind[b] = SPACE;
  return kind;
})();

function isAlphabet(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2f;
}

/** The message with every damaged base64 part re-declared as an 8bit attachment (see the file comment). */
export function markDamagedBase64(bytes: Buffer): MarkedMessage {
  // latin1 maps each byte to one character and back, so slicing the string slices the bytes.
  const text = bytes.toString("latin1");
  // Most mail has no base64 part at all: nothing to walk.
  if (!/content-transfer-encoding\s*:\s*"?base64/i.test(text)) return { bytes, damaged: [], marker: "" };
  const walk: Walk = { bytes, damaged: [], marker: null };
  const out = entity(text, 0, "1", true, walk);
  // No damage (nearly all mail): no marker was needed, so the message was not hashed for one.
  return walk.marker === null ? { bytes, damaged: [], marker: "" } : { bytes: Buffer.from(out, "latin1"), damaged: walk.damaged, marker: walk.marker };
}

interface Walk {
  /** The whole message: `s` at offset `at` in entity() is bytes[at, at + s.length), read without a copy. */
  bytes: Buffer;
  damaged: DamagedPart[];
  /** Hashed from the message when the first damaged part is found (a sender cannot write it in advance). */
  marker: string | null;
}

function entity(s: string, at: number, part: string, top: boolean, walk: Walk): string {
  // The blank line that ends the header block; a part without header lines starts with it.
  const split = /^\r?\n/.exec(s) ?? /\r?\n\r?\n/.exec(s);
  // A part with no blank line is all header (or nothing): nothing to check.
  if (split === null) return s;
  const head = s.slice(0, split.index);
  const bodyAt = split.index + split[0].length;
  const fields = unfold(head);
  const type = (fields.get("content-type") ?? "text/plain").toLowerCase();
  if (type.startsWith("multipart/")) {
    const boundary = boundaryOf(fields.get("content-type") ?? "");
    if (boundary === null) return s;
    return s.slice(0, bodyAt) + multipart(s.slice(bodyAt), at + bodyAt, boundary, top ? "" : `${part}.`, walk);
  }
  if ((fields.get("content-transfer-encoding") ?? "").trim().replace(/^"|"$/g, "").toLowerCase() !== "base64") return s;
  // The body's bytes in place: a multi-megabyte attachment is neither copied nor converted to check it.
  const reason = base64Damage(walk.bytes.subarray(at + bodyAt, at + s.length));
  if (reason === null) return s;
  walk.marker ??= createHash("sha256").update(walk.bytes).digest("hex").slice(0, 24);
  walk.damaged.push({ part, reason });
  return redeclare(head, `${walk.marker}/${walk.damaged.length - 1}`) + split[0] + s.slice(bodyAt);
}

/** The body of a multipart entity with each of its parts walked; preamble, delimiters and epilogue kept. */
function multipart(body: string, at: number, boundary: string, prefix: string, walk: Walk): string {
  const delimiter = new RegExp(`(^|\\r?\\n)--${escape(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`, "g");
  let out = "";
  let from = 0;
  let n = 0;
  let inPart = false;
  for (let m = delimiter.exec(body); m !== null; m = delimiter.exec(body)) {
    const chunk = body.slice(from, m.index);
    out += inPart ? entity(chunk, at + from, `${prefix}${n}`, false, walk) : chunk;
    out += m[0];
    from = m.index + m[0].length;
    if (m[2] === "--") return out + body.slice(from);
    inPart = true;
    n++;
  }
  // No closing delimiter (a truncated message): the last part runs to the end.
  return out + (inPart ? entity(body.slice(from), at + from, `${prefix}${n}`, false, walk) : body.slice(from));
}

/**
 * The part's header block with its encoding and disposition replaced: 8bit (the encoded text is the content),
 * an attachment (a text part must not become the body), its file name parameters kept, and the marker.
 */
function redeclare(head: string, mark: string): string {
  const eol = head.includes("\r\n") ? "\r\n" : "\n";
  const lines = head.split(/\r?\n/);
  const kept: string[] = [];
  let disposition = "";
  let dropping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && dropping) {
      if (disposition !== "") disposition += line;
      continue;
    }
    const name = /^([^:\s]+)\s*:/.exec(line)?.[1]?.toLowerCase();
    dropping = name === "content-transfer-encoding" || name === "content-disposition" || name === DAMAGED_HEADER;
    if (name === "content-disposition") disposition = line;
    if (!dropping) kept.push(line);
  }
  const params = disposition.indexOf(";") >= 0 ? disposition.slice(disposition.indexOf(";")) : "";
  kept.push("Content-Transfer-Encoding: 8bit", `Content-Disposition: attachment${params}`, `X-Support-Inbox-Damaged-Base64: ${mark}`);
  // A part with no header lines at all starts with its blank line; keep it a header block.
  return kept.filter((l, i) => l !== "" || i > 0).join(eol);
}

/** Header fields by lowercased name (first occurrence), continuation lines joined. */
function unfold(head: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of head.replace(/\r?\n(?=[ \t])/g, "").split(/\r?\n/)) {
    const m = /^([^:\s]+)\s*:(.*)$/.exec(line);
    if (m && !fields.has(m[1]!.toLowerCase())) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  return fields;
}

function boundaryOf(contentType: string): string | null {
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
