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
  /** The marker header's value prefix for this message; `${marker}/${index}` marks damaged[index]. */
  marker: string;
}

export const DAMAGED_HEADER = "x-support-inbox-damaged-base64";

/**
 * Why `body` (a base64 part's bytes) is not base64, or null when it is. Whitespace and line breaks are
 * ignored; concatenated padded chunks ("QQ==QUI=", a mailer encoding line by line) are accepted.
 */
export function base64Damage(body: Uint8Array): string | null {
  let inGroup = 0; // characters of the current 4-character group seen
  let pad = 0; // '=' seen in the current group
  let count = 0;
  let line = 1;
  let column = 0;
  for (const b of body) {
    column++;
    if (b === 0x0a) [line, column] = [line + 1, 0];
    if (b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a) continue;
    count++;
    // Where a person opening the .damaged-base64.txt file finds it.
    const at = `line ${line}, column ${column}`;
    if (b === 0x3d) {
      if (inGroup < 2) return `'=' padding at ${at} where no group ends`;
      pad++;
    } else if (isAlphabet(b)) {
      if (pad > 0) return `data after the '=' padding at ${at}`;
    } else {
      const shown = b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, "0")}`;
      return `${shown} at ${at} is not base64`;
    }
    inGroup++;
    if (inGroup === 4) [inGroup, pad] = [0, 0];
  }
  if (inGroup !== 0) return `ends part-way through a group: ${count} base64 characters, not a multiple of 4 (truncated?)`;
  return null;
}

const isAlphabet = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2f;

/** The message with every damaged base64 part re-declared as an 8bit attachment (see the file comment). */
export function markDamagedBase64(bytes: Buffer): MarkedMessage {
  const marker = createHash("sha256").update(bytes).digest("hex").slice(0, 24);
  const unchanged: MarkedMessage = { bytes, damaged: [], marker };
  // Most mail has no base64 part at all: nothing to walk.
  if (!/content-transfer-encoding\s*:\s*"?base64/i.test(bytes.toString("latin1"))) return unchanged;
  const damaged: DamagedPart[] = [];
  // latin1 maps each byte to one character and back, so slicing the string slices the bytes.
  const out = entity(bytes.toString("latin1"), "1", true, { damaged, marker });
  return damaged.length === 0 ? unchanged : { bytes: Buffer.from(out, "latin1"), damaged, marker };
}

interface Walk {
  damaged: DamagedPart[];
  marker: string;
}

function entity(s: string, part: string, top: boolean, walk: Walk): string {
  // The blank line that ends the header block; a part without header lines starts with it.
  const split = /^\r?\n/.exec(s) ?? /\r?\n\r?\n/.exec(s);
  // A part with no blank line is all header (or nothing): nothing to check.
  if (split === null) return s;
  const head = s.slice(0, split.index);
  const body = s.slice(split.index + split[0].length);
  const fields = unfold(head);
  const type = (fields.get("content-type") ?? "text/plain").toLowerCase();
  if (type.startsWith("multipart/")) {
    const boundary = boundaryOf(fields.get("content-type") ?? "");
    if (boundary === null) return s;
    return s.slice(0, split.index + split[0].length) + multipart(body, boundary, top ? "" : `${part}.`, walk);
  }
  if ((fields.get("content-transfer-encoding") ?? "").trim().replace(/^"|"$/g, "").toLowerCase() !== "base64") return s;
  const reason = base64Damage(Buffer.from(body, "latin1"));
  if (reason === null) return s;
  walk.damaged.push({ part, reason });
  return redeclare(head, `${walk.marker}/${walk.damaged.length - 1}`) + split[0] + body;
}

/** The body of a multipart entity with each of its parts walked; preamble, delimiters and epilogue kept. */
function multipart(body: string, boundary: string, prefix: string, walk: Walk): string {
  const delimiter = new RegExp(`(^|\\r?\\n)--${escape(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`, "g");
  let out = "";
  let from = 0;
  let n = 0;
  let inPart = false;
  for (let m = delimiter.exec(body); m !== null; m = delimiter.exec(body)) {
    const chunk = body.slice(from, m.index);
    out += inPart ? entity(chunk, `${prefix}${n}`, false, walk) : chunk;
    out += m[0];
    from = m.index + m[0].length;
    if (m[2] === "--") return out + body.slice(from);
    inPart = true;
    n++;
  }
  // No closing delimiter (a truncated message): the last part runs to the end.
  return out + (inPart ? entity(body.slice(from), `${prefix}${n}`, false, walk) : body.slice(from));
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
