/**
 * MIME parsing on the main thread (inlineParser) against worker-thread pools of 1 and 2 threads, over the
 * ingest bench mix (benchMessage 0..n-1: mostly small text, 5% with a 1–5 MB base64 attachment).
 * Prints messages/s, MB/s, how busy the main thread was (event loop utilization: the pool's point is that
 * the main thread stays free for IMAP and Postgres) and CPU per MB over all threads (the pool's overhead;
 * unlike the rates, not much affected by other load on the machine). No IMAP or database here.
 *
 *   npx tsx bench/parse-pool.ts [--n 2000] [--window 8] [--smoke]     (--smoke: 50 messages; for CI)
 */
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { DEFAULT_PARSE_LIMITS } from "../src/mail/message.js";
import type { MessageParser } from "../src/mail/message.js";
import { createParsePool, inlineParser } from "../src/mail/parse-pool.js";
import { benchMessage } from "./ingest-raw.js";

export interface ParseBenchResult {
  label: string;
  seconds: number;
  messagesPerSecond: number;
  mbPerSecond: number;
  /** Share of the run the main thread's event loop was busy (0..1). */
  mainThreadBusy: number;
  /** CPU seconds of the whole process (all threads) per MB parsed: the pool's overhead, robust to a busy machine. */
  cpuMsPerMB: number;
}

/** Parses every message with at most `window` in flight (the worker's inbound concurrency is of this order). */
export async function runParseBench(label: string, parser: MessageParser, messages: Buffer[], window: number): Promise<ParseBenchResult> {
  const totalBytes = messages.reduce((sum, m) => sum + m.length, 0);
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < messages.length) await parser.parse(messages[next++]!, DEFAULT_PARSE_LIMITS);
  };
  await Promise.all(Array.from({ length: window }, lane));
  const seconds = (performance.now() - started) / 1000;
  const cpuUsed = process.cpuUsage(cpu);
  const totalMB = totalBytes / 1024 / 1024;
  return {
    label,
    seconds,
    messagesPerSecond: messages.length / seconds,
    mbPerSecond: totalMB / seconds,
    mainThreadBusy: performance.eventLoopUtilization(elu).utilization,
    cpuMsPerMB: (cpuUsed.user + cpuUsed.system) / 1000 / totalMB,
  };
}

export function formatParseBench(r: ParseBenchResult): string {
  return `  ${r.label.padEnd(16)} ${r.messagesPerSecond.toFixed(1).padStart(8)} messages/s ${r.mbPerSecond.toFixed(1).padStart(7)} MB/s   ${r.seconds.toFixed(2).padStart(6)} s   main thread busy ${(r.mainThreadBusy * 100).toFixed(0).padStart(3)}%   CPU ${r.cpuMsPerMB.toFixed(1)} ms/MB`;
}

function parseArgs(argv: string[]): { n: number; window: number } {
  const int = (flag: string, fallback: number): number => {
    const at = argv.indexOf(flag);
    const value = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} must be a positive integer, got ${argv[at + 1]}`);
    return value;
  };
  return { n: int("--n", argv.includes("--smoke") ? 50 : 2000), window: int("--window", 8) };
}

async function main(): Promise<void> {
  const { n, window } = parseArgs(process.argv.slice(2));
  const messages = Array.from({ length: n }, (_, i) => benchMessage(i));
  const totalMB = messages.reduce((sum, m) => sum + m.length, 0) / 1024 / 1024;
  const large = messages.filter((m) => m.length > 1024 * 1024).length;
  console.log(`parse pool bench: ${n} messages, ${totalMB.toFixed(1)} MB (${large} over 1 MB), ${window} in flight, ${availableParallelism()} cores, Node ${process.version}`);

  // What the pool adds on the main thread besides messaging: one copy of each raw message.
  const copyStarted = performance.now();
  for (const m of messages) new Uint8Array(m.length).set(m);
  const copyMs = performance.now() - copyStarted;
  console.log(`  (copying every raw message once on the main thread: ${copyMs.toFixed(0)} ms, ${(totalMB / 1024 / (copyMs / 1000)).toFixed(1)} GB/s)`);

  console.log(formatParseBench(await runParseBench("inline", inlineParser, messages, window)));
  for (const threads of [1, 2]) {
    const pool = createParsePool({ threads });
    try {
      // Thread start-up (loading tsx and mailparser, ~0.5 s) is not part of the rate.
      await Promise.all(messages.slice(0, threads * 2).map((m) => pool.parse(m, DEFAULT_PARSE_LIMITS)));
      console.log(formatParseBench(await runParseBench(`pool ${threads} thread${threads > 1 ? "s" : ""}`, pool, messages, window)));
    } finally {
      await pool.close();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
