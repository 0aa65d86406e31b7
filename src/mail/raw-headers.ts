/**
 * Header lines written in raw 8-bit bytes that are not UTF-8: old clients (Foxmail, Outlook Express,
 * Becky!, mailers of the 1990s) put a subject or a name in the local charset (GB2312, Big5, Shift_JIS,
 * Latin-1) without RFC 2047 encoded words. mailparser reads header bytes as UTF-8 and turns them into
 * U+FFFD; here they are decoded by detection instead and re-written as UTF-8 before mailparser sees them
 * (RFC 6532 headers, which it reads right). Pure.
 *
 * The charset: one the message declares for its text (the client's own) when the header bytes are valid
 * in it, else the first that jschardet ranks and the bytes are valid in, else windows-1252 (any byte is
 * valid there, and it is what most undeclared 8-bit mail is). All 8-bit header lines are judged together:
 * one client wrote them, and a name of two characters alone is too short to tell.
 */
import iconv from "iconv-lite";
import jschardet from "jschardet";

const FALLBACK = "windows-1252";
const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface TranscodedHeaders {
  /** The message with its 8-bit header lines as UTF-8; the same Buffer when there was nothing to do. */
  bytes: Buffer;
  /** The charset the header lines were read in, null when none needed reading. */
  charset: string | null;
  /** How it was chosen. */
  how: "declared" | "detected" | "fallback" | null;
}

export function transcodeRawHeaders(bytes: Buffer, headerLength: number): TranscodedHeaders {
  const unchanged: TranscodedHeaders = { bytes, charset: null, how: null };
  const header = bytes.subarray(0, headerLength);
  if (!header.some((b) => b >= 0x80)) return unchanged;
  const lines = splitLines(header);
  const foreign = lines.filter((l) => l.some((b) => b >= 0x80) && !isUtf8(l));
  if (foreign.length === 0) return unchanged;
  const sample = Buffer.concat(foreign.map(valueOf));
  const { charset, how } = chooseCharset(sample, declaredCharsets(bytes));
  const rewritten = lines.map((l) => (foreign.includes(l) ? Buffer.from(iconv.decode(l, charset), "utf8") : l));
  return { bytes: Buffer.concat([...rewritten, bytes.subarray(headerLength)]), charset, how };
}

function chooseCharset(sample: Buffer, declared: string[]): { charset: string; how: "declared" | "detected" | "fallback" } {
  const fromDeclared = declared.find((cs) => validIn(sample, cs));
  if (fromDeclared) return { charset: fromDeclared, how: "declared" };
  const ranked = jschardet.detectAll(sample).map((r) => r.encoding);
  const detected = ranked.find((cs): cs is string => cs !== null && cs.toLowerCase() !== "ascii" && validIn(sample, cs));
  if (detected) return { charset: detected, how: "detected" };
  return { charset: FALLBACK, how: "fallback" };
}

/** iconv-lite knows the charset and the bytes decode and encode back unchanged (no invalid sequence). */
function validIn(bytes: Buffer, charset: string): boolean {
  if (!iconv.encodingExists(charset)) return false;
  const text = iconv.decode(bytes, charset);
  return !text.includes("\ufffd") && iconv.encode(text, charset).equals(bytes);
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The line without its header name (a continuation line whole): what the charset has to explain. */
function valueOf(line: Buffer): Buffer {
  if (line[0] === 0x20 || line[0] === 0x09) return line;
  const colon = line.indexOf(0x3a);
  return colon >= 0 ? line.subarray(colon + 1) : line;
}

/** Lines of the header block, each with its line ending, so that joining them gives the block back. */
function splitLines(header: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    if (header[i] === 0x0a) {
      lines.push(header.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < header.length) lines.push(header.subarray(start));
  return lines;
}

/** Charsets the message declares for its parts (`charset=` parameters), ASCII and UTF-8 left out, in order. */
function declaredCharsets(bytes: Buffer): string[] {
  const text = bytes.subarray(0, Math.min(bytes.length, 256 * 1024)).toString("latin1");
  const names = [...text.matchAll(/\bcharset\s*=\s*"?([A-Za-z0-9_.:+-]+)"?/gi)].map((m) => m[1]!.toLowerCase());
  return [...new Set(names)].filter((cs) => !/^(us-?ascii|ascii|utf-?8)$/.test(cs));
}
