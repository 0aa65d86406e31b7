/**
 * Malformed mail of the kinds hostile or broken senders produce (truncated MIME, bad base64, NUL bytes,
 * missing headers, empty files, binary garbage, oversized header lines, deep nesting, unknown charsets,
 * a multipart without a boundary), for tests and fault runs that mix it with valid requests. Seeded, so
 * a run can be replayed. Each message is unique (its index is in it), so none is a duplicate of another.
 */
import { prng } from "./prng.js";
import { SUPPORT } from "./support-address.js";

export interface MalformedMail {
  kind: MalformedKind;
  raw: Buffer;
}

export const MALFORMED_KINDS = [
  "truncated-mime",
  "bad-base64",
  "nul-body",
  "nul-attachment-name",
  "missing-headers",
  "empty-file",
  "binary-garbage",
  "huge-header-line",
  "deep-nesting",
  "unknown-charset",
  "no-boundary",
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface MalformedOptions {
  /** Sender of the kinds that have one (default: an unknown sender, so nothing opens a case). */
  from?: string;
  /** Bytes of the oversized header line (default 300 kB: over the default 256 kB header limit). */
  hugeHeaderBytes?: number;
  /** Multipart levels of deep-nesting (default 5,000: over mailparser's limit). */
  nestingDepth?: number;
}

const head = (from: string, id: string, subject: string, extra = "") =>
  `From: ${from}\r\nTo: ${SUPPORT}\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Tue, 10 Nov 2026 09:20:00 -0800\r\nMIME-Version: 1.0\r\n${extra}`;

function nested(depth: number, i: number): string {
  let body = `leaf ${i}\r\n`;
  for (let d = depth; d > 0; d--) body = `--n${d}\r\nContent-Type: multipart/mixed; boundary="n${d + 1}"\r\n\r\n${body}\r\n--n${d}--\r\n`;
  return body;
}

/** The `i`-th malformed message of `kind`. */
export function malformedMail(kind: MalformedKind, i: number, opts: MalformedOptions = {}, random = prng(i + 1)): Buffer {
  const from = opts.from ?? `sender${i}@unknown.example`;
  const id = `malformed-${kind}-${i}@unknown.example`;
  switch (kind) {
    case "truncated-mime":
      return Buffer.from(`${head(from, id, `truncated ${i}`, 'Content-Type: multipart/mixed; boundary="cut"\r\n')}\r\n--cut\r\nContent-Type: text/plain\r\n\r\nthe first part of ${i}, and th`);
    case "bad-base64":
      return Buffer.from(`${head(from, id, `bad base64 ${i}`, "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n")}\r\n!!!%%%${i}###==not==base64**\r\n`);
    case "nul-body":
      // "hello\0world\n": the text decodes to a NUL byte.
      return Buffer.from(`${head(from, id, `nul ${i}`, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n")}\r\naGVsbG8Ad29ybGQK\r\n`);
    case "nul-attachment-name":
      return Buffer.from(
        `${head(from, id, `nul in a file name ${i}`, 'Content-Type: multipart/mixed; boundary="b"\r\n')}\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached ${i}\r\n` +
          `--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=utf-8''log%00${i}.txt\r\n\r\nxyz\r\n--b--\r\n`,
      );
    case "missing-headers":
      return Buffer.from(`\r\nno headers at all, message ${i}\r\n`);
    case "empty-file":
      return Buffer.alloc(0);
    case "binary-garbage":
      return Buffer.from(Array.from({ length: 512 + Math.floor(random() * 2048) }, () => Math.floor(random() * 256)));
    case "huge-header-line":
      return Buffer.from(`${head(from, id, `huge header ${i}`, `X-Junk: ${"a".repeat(opts.hugeHeaderBytes ?? 300 * 1024)}\r\n`)}\r\nbody ${i}\r\n`);
    case "deep-nesting":
      return Buffer.from(`${head(from, id, `deep ${i}`, 'Content-Type: multipart/mixed; boundary="n1"\r\n')}\r\n${nested(opts.nestingDepth ?? 5000, i)}`);
    case "unknown-charset":
      return Buffer.from(`${head(from, id, `=?x-unknown-42?Q?odd_${i}?=`, "Content-Type: text/plain; charset=x-unknown-42\r\n")}\r\nbody \xe9\xe8 ${i}\r\n`, "latin1");
    case "no-boundary":
      return Buffer.from(`${head(from, id, `no boundary ${i}`, "Content-Type: multipart/mixed\r\n")}\r\n--\r\nContent-Type: text/plain\r\n\r\nbody ${i}\r\n`);
  }
}

/** `n` malformed messages, the kinds in turn. */
export function malformedMix(n: number, opts: MalformedOptions = {}): MalformedMail[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = MALFORMED_KINDS[i % MALFORMED_KINDS.length]!;
    return { kind, raw: malformedMail(kind, i, opts) };
  });
}
