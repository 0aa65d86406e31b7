/**
 * Hostile mail for scenario 4, generated from a seed: every kind the issue names, sent from the same DTC
 * addresses as the valid requests (so a poison message can hold back a real customer's mail). The two
 * heavy kinds (a 2 MB header line, 5,000-deep nesting) are 1% and 2% of the mix so a 10,000-mail run
 * stays a few hundred MB; the others share the rest evenly.
 */
import { prng } from "../../harness/prng.js";
import { SUPPORT } from "../../harness/support-address.js";

export const KINDS = [
  "truncated-mime",
  "bad-base64",
  "nul-decoded",
  "nul-raw",
  "missing-headers",
  "zero-byte",
  "binary-garbage",
  "unknown-charset",
  "no-boundary",
  "huge-header",
  "deep-nesting",
] as const;
export type Kind = (typeof KINDS)[number];

const HEAVY: Partial<Record<Kind, number>> = { "huge-header": 0.01, "deep-nesting": 0.02 };
const LIGHT = KINDS.filter((k) => HEAVY[k] === undefined);

/** The kind of malformed mail number k (seeded, so every run appends the same mix). */
export function kindOf(k: number): Kind {
  const r = prng(7919 * (k + 1))();
  let edge = 0;
  for (const [kind, share] of Object.entries(HEAVY) as Array<[Kind, number]>) {
    edge += share;
    if (r < edge) return kind;
  }
  return LIGHT[Math.floor(((r - edge) / (1 - edge)) * LIGHT.length)]!;
}

const sender = (k: number) => `Contact ${k % 97} <dtc${k % 97}@customer${k % 13}.example>`;

function head(k: number, kind: Kind, extra = ""): string {
  return (
    `From: ${sender(k)}\r\nTo: ${SUPPORT}\r\nSubject: Malformed ${k} (${kind})\r\n` +
    `Message-ID: <chaos-bad-${k}@customer.example>\r\nDate: Mon, 03 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n${extra}`
  );
}

function deepNesting(k: number, depth: number): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let d = 0; d < depth; d++) {
    open.push(`--b${d}\r\nContent-Type: multipart/mixed; boundary="b${d + 1}"\r\n\r\n`);
    close.unshift(`--b${d}--\r\n`);
  }
  const inner = `--b${depth}\r\nContent-Type: text/plain\r\n\r\nat the bottom\r\n--b${depth}--\r\n`;
  return `${head(k, "deep-nesting", 'Content-Type: multipart/mixed; boundary="b0"\r\n')}\r\n${open.join("")}${inner}${close.join("")}`;
}

/** Malformed mail number k: its kind and its bytes. */
export function malformedMessage(k: number): { kind: Kind; raw: Buffer } {
  const kind = kindOf(k);
  const rnd = prng(k + 104_729);
  const text = (s: string) => Buffer.from(s, "latin1");
  switch (kind) {
    case "truncated-mime": {
      const b = `trunc-${k}`;
      const full = `${head(k, kind, `Content-Type: multipart/mixed; boundary="${b}"\r\n`)}\r\n--${b}\r\nContent-Type: text/plain\r\n\r\nI need help with\r\n--${b}\r\nContent-Type: application/pdf; name="x.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0Zp`;
      return { kind, raw: text(full.slice(0, full.length - Math.floor(rnd() * 20))) };
    }
    case "bad-base64":
      return { kind, raw: text(`${head(k, kind, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n")}\r\n!!!%%%@@@ not base64 ===\r\nQUJD=RE\r\n=\r\n`) };
    case "nul-decoded":
      return { kind, raw: text(`${head(k, kind, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n")}\r\naGVsbG8Ad29ybGQK\r\n`) };
    case "nul-raw":
      return { kind, raw: Buffer.concat([text(head(k, kind, "X-Nul: a\0b\r\nContent-Type: text/plain\r\n")), text("\r\nbody with \0 NUL \0 bytes\r\n")]) };
    case "missing-headers":
      return { kind, raw: text(k % 2 === 0 ? `Subject: no sender, no id ${k}\r\n\r\nplease help\r\n` : `just a body, no header at all ${k}\r\n`) };
    case "zero-byte":
      return { kind, raw: Buffer.alloc(0) };
    case "binary-garbage":
      return { kind, raw: Buffer.from(Array.from({ length: 512 + Math.floor(rnd() * 4096) }, () => Math.floor(rnd() * 256))) };
    case "unknown-charset":
      return { kind, raw: Buffer.concat([text(head(k, kind, 'Content-Type: text/plain; charset="x-klingon-9"\r\nContent-Transfer-Encoding: 8bit\r\n')), Buffer.from([13, 10, 0xe9, 0xfe, 0x81, 0x41, 13, 10])]) };
    case "no-boundary":
      return { kind, raw: text(`${head(k, kind, "Content-Type: multipart/mixed\r\n")}\r\n--x\r\nContent-Type: text/plain\r\n\r\nwhere is my boundary\r\n--x--\r\n`) };
    case "huge-header":
      return { kind, raw: text(`${head(k, kind, `X-Huge: ${"a".repeat(2 * 1024 * 1024)}\r\nContent-Type: text/plain\r\n`)}\r\nsmall body\r\n`) };
    case "deep-nesting":
      return { kind, raw: text(deepNesting(k, 5000)) };
  }
}
