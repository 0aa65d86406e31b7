/**
 * Raw ingest ceiling: how fast imapflow fetch (through ImapSource, the path the worker uses) plus
 * mailparser's simpleParser can go on this machine, with no database and no decisions. The
 * end-to-end `bench:ingest` prints its own rate next to this one and the ratio.
 *
 *   npx tsx bench/ingest-raw.ts [--n 10000] [--smoke]     (--smoke = 200 messages)
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { ImapFlow } from "imapflow";
import { simpleParser } from "mailparser";
import { SystemClock } from "../src/clock/clock.js";
import { ImapSource } from "../src/sources/imap.js";
import type { Cursor } from "../src/sources/types.js";
import { startDovecot, type DovecotHarness } from "../harness/dovecot.js";
import { prng } from "../harness/prng.js";
import { SUPPORT } from "../harness/support-address.js";

export interface RawIngestResult {
  n: number;
  totalMB: number;
  appendSeconds: number;
  fetchParseSeconds: number;
  messagesPerSecond: number;
  mbPerSecond: number;
  peakRssMB: number;
}

export interface RawIngestOptions {
  n: number;
  /** Reuse a running harness (the caller stops it); otherwise one is started and stopped here. */
  harness?: DovecotHarness;
  folder?: string;
  batchSize?: number;
  log?: (line: string) => void;
}

/** Same options as src/mail/parse.ts, so the raw rate is the ceiling the pipeline can approach. */
const PARSE_OPTIONS = { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true };

const ATTACHMENT_POOL = randomBytes(5 * 1024 * 1024).toString("base64").replace(/.{76}/g, "$&\r\n");
const WORDS = "the cluster node fails to restart after upgrade please advise namespace sdk version error timeout".split(" ");

/**
 * Message i of the benchmark mix: 0.5–12 KB of text, every 4th also HTML, 5% with a 1–5 MB
 * attachment. `to` lets the end-to-end bench address a configured mailbox.
 * BENCH_ATTACH_P=0 or =1 (or `attachP`) changes the share with an attachment, to look at one kind of mail alone.
 */
export function benchMessage(i: number, to = SUPPORT, attachP = Number(process.env.BENCH_ATTACH_P ?? 0.05)): Buffer {
  const rnd = prng(i + 1);
  const words = Array.from({ length: Math.floor(80 + rnd() * 1800) }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
  const text = words.join(" ").replace(/(.{1,72})( |$)/g, "$1\r\n");
  const head =
    `From: Contact ${i % 97} <dtc${i % 97}@customer${i % 13}.example>\r\nTo: ${to}\r\n` +
    `Subject: [Sev${1 + (i % 4)}] Bench request ${i}\r\nMessage-ID: <bench-${i}@customer.example>\r\n` +
    `Date: Mon, 03 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n`;
  const withAttachment = rnd() < attachP;
  if (!withAttachment && i % 4 !== 0) return Buffer.from(`${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${text}`);
  const b = `----bench-${i}`;
  const parts = [`Content-Type: text/plain; charset=utf-8\r\n\r\n${text}`];
  if (i % 4 === 0) parts.push(`Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>${words.slice(0, 200).join(" ")}</p></body></html>\r\n`);
  if (withAttachment) {
    const bytes = Math.floor((1 + rnd() * 4) * 1024 * 1024);
    const b64 = ATTACHMENT_POOL.slice(0, Math.ceil((bytes * 4) / 3 / 76) * 78);
    parts.push(`Content-Type: application/octet-stream; name="dump-${i}.bin"\r\nContent-Disposition: attachment; filename="dump-${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}`);
  }
  const body = parts.map((p) => `--${b}\r\n${p}\r\n`).join("") + `--${b}--\r\n`;
  return Buffer.from(`${head}Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n${body}`);
}

/** Appends messages [0, n) over `connections` parallel IMAP sessions; returns total bytes. */
export async function appendBenchMessages(h: DovecotHarness, n: number, folder: string, to?: string, connections = 4): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    const client = new ImapFlow({ host: h.host, port: h.port, secure: false, auth: { user: h.user, pass: h.password }, logger: false, disableAutoIdle: true });
    client.on("error", () => {});
    await client.connect();
    await client.mailboxCreate(folder).catch(() => undefined);
    try {
      for (let i = next++; i < n; i = next++) {
        const raw = benchMessage(i, to);
        bytes += raw.length;
        await client.append(folder, raw);
      }
    } finally {
      await client.logout();
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return bytes;
}

export async function runRawIngestBench(opts: RawIngestOptions): Promise<RawIngestResult> {
  const log = opts.log ?? (() => {});
  const harness = opts.harness ?? (await startDovecot());
  const folder = opts.folder ?? "BenchRaw";
  try {
    let t0 = performance.now();
    const bytes = await appendBenchMessages(harness, opts.n, folder);
    const appendSeconds = (performance.now() - t0) / 1000;
    log(`appended ${opts.n} messages (${(bytes / 1e6).toFixed(1)} MB) in ${appendSeconds.toFixed(1)} s`);
    const source = new ImapSource({
      name: "bench", host: harness.host, port: harness.port, tls: false, user: harness.user,
      password: harness.password, folder, clock: new SystemClock(),
    });
    t0 = performance.now();
    let cursor: Cursor | null = null;
    let parsed = 0;
    while (parsed < opts.n) {
      const batch = await source.fetchBatch(cursor, opts.batchSize ?? 100);
      if (batch.messages.length === 0) break;
      for (const m of batch.messages) await simpleParser(m.raw, PARSE_OPTIONS);
      parsed += batch.messages.length;
      cursor = batch.cursor;
    }
    const fetchParseSeconds = (performance.now() - t0) / 1000;
    await source.close();
    if (parsed !== opts.n) throw new Error(`fetched ${parsed} of ${opts.n} appended messages`);
    return {
      n: opts.n,
      totalMB: bytes / 1e6,
      appendSeconds,
      fetchParseSeconds,
      messagesPerSecond: opts.n / fetchParseSeconds,
      mbPerSecond: bytes / 1e6 / fetchParseSeconds,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    if (!opts.harness) await harness.stop();
  }
}

export function formatRawIngest(r: RawIngestResult): string {
  return [
    `raw ingest (imapflow fetch + simpleParser, no DB): ${r.n} messages, ${r.totalMB.toFixed(1)} MB`,
    `  rate:      ${r.messagesPerSecond.toFixed(1)} messages/s (${r.mbPerSecond.toFixed(1)} MB/s) in ${r.fetchParseSeconds.toFixed(2)} s`,
    `  append:    ${r.appendSeconds.toFixed(1)} s (setup, not part of the rate)`,
    `  peak RSS:  ${r.peakRssMB.toFixed(0)} MB`,
  ].join("\n");
}

function parseArgs(argv: string[]): number {
  if (argv.includes("--smoke")) return 200;
  const at = argv.indexOf("--n");
  const n = at >= 0 ? Number(argv[at + 1]) : 10_000;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--n must be a positive integer, got ${argv[at + 1]}`);
  return n;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = parseArgs(process.argv.slice(2));
  runRawIngestBench({ n, log: (l) => console.log(l) })
    .then((r) => console.log(formatRawIngest(r)))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
