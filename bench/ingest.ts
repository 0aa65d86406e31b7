/**
 * End-to-end ingest benchmark: N messages (bench/ingest-raw.ts's mix: 0.5–12 KB text, every 4th with
 * HTML, 5% with a 1–5 MB attachment) appended to a private Dovecot by an APPENDER child process while a
 * WORKER child process runs the real pipeline (drainSource + ImapSource → Postgres) against the dedicated
 * database si_bench_ingest. Each process has its own RSS, so the worker's peak is the worker's alone.
 * Latency is from the X-Bench-Appended-At header (set just before APPEND) to the commit (the worker logs
 * each outcome right after its transaction commits). Then the raw ceiling (imapflow fetch + mailparser)
 * runs on the same Dovecot, and the ratio is printed.
 *
 *   npm run bench:ingest [-- --smoke | --n 2000]    (TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ImapFlow } from "imapflow";
import postgres from "postgres";
import { SystemClock } from "../src/clock/clock.js";
import { DEFAULT_PARSE_LIMITS } from "../src/mail/message.js";
import { ImapSource } from "../src/sources/imap.js";
import { migrate, openDatabase } from "../src/store/database.js";
import { createContact } from "../src/store/repos/contacts.js";
import { createOrganization } from "../src/store/repos/organizations.js";
import { drainSource, type InboundDeps } from "../src/worker/inbound.js";
import { inboundConfig, SUPPORT, testDesk } from "../test/support/desk.js";
import { startDovecot } from "../test/support/dovecot.js";
import { benchMessage, formatRawIngest, runRawIngestBench } from "./ingest-raw.js";

const SELF = fileURLToPath(import.meta.url);
const FOLDER = "BenchIngest";
const DB_NAME = "si_bench_ingest";
const now = () => performance.timeOrigin + performance.now();

interface Imap { host: string; port: number; user: string; password: string }
interface WorkerReport {
  commits: Array<[number, number]>;
  outcomes: Record<string, number>;
  peakRssMB: number;
  /** Where the memory was at its peak: V8 heap vs Buffers outside it. */
  peakHeapMB: number;
  peakBuffersMB: number;
  startRssMB: number;
  startedAt: number;
}

/** Child role: appends messages [0, n) over 4 sessions, each stamped with its append time. */
async function appender(imap: Imap, n: number): Promise<void> {
  let next = 0;
  const session = async () => {
    const client = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.password }, logger: false, disableAutoIdle: true });
    client.on("error", () => {});
    await client.connect();
    try {
      for (let i = next++; i < n; i = next++) {
        const raw = Buffer.concat([Buffer.from(`X-Bench-Appended-At: ${now().toFixed(1)}\r\n`), benchMessage(i, SUPPORT)]);
        await client.append(FOLDER, raw);
      }
    } finally {
      await client.logout();
    }
  };
  await Promise.all(Array.from({ length: 4 }, session));
}

/** Child role: the real worker pipeline until n messages are committed; reports commit times and RSS. */
async function worker(imap: Imap, url: string, n: number): Promise<WorkerReport> {
  const database = await openDatabase({ url, dataDir: "memory://" });
  const commits: Array<[number, number]> = [];
  const outcomes: Record<string, number> = {};
  const logger = {
    info(fields: { messageId?: string | null; outcome?: string }) {
      const i = /^bench-(\d+)@/.exec(fields.messageId ?? "")?.[1];
      if (i !== undefined) commits.push([Number(i), now()]);
      if (fields.outcome) outcomes[fields.outcome] = (outcomes[fields.outcome] ?? 0) + 1;
    },
    warn() {},
    error(fields: object, msg?: string) {
      process.stderr.write(`worker error: ${msg} ${JSON.stringify(fields)}\n`);
    },
  };
  const clock = new SystemClock();
  // The settings `start` uses against Postgres (src/worker/jobs.ts inboundDepsFor).
  const deps: InboundDeps = { db: database.db, desk: testDesk(), clock, logger, config: inboundConfig, limits: DEFAULT_PARSE_LIMITS, concurrency: 8, failedKeys: new Set() };
  const source = new ImapSource({ name: "bench", ...imap, tls: false, folder: FOLDER, clock });
  const mailbox = { name: "bench", address: SUPPORT, defaultPolicy: "vantiq", folder: FOLDER, usesCursor: true };
  const startedAt = now();
  const startRssMB = process.memoryUsage().rss / 1048576;
  let peakHeapMB = 0;
  let peakBuffersMB = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeapMB = Math.max(peakHeapMB, m.heapUsed / 1048576);
    peakBuffersMB = Math.max(peakBuffersMB, m.arrayBuffers / 1048576);
  }, 50);
  const idle = new AbortController();
  try {
    let processed = 0;
    while (processed < n) {
      const summary = await drainSource(deps, source, mailbox);
      processed += summary.processed;
      if (summary.fetched === 0) await source.waitForNew(idle.signal, 200);
    }
  } finally {
    await source.close();
    await database.close();
  }
  clearInterval(sampler);
  return { commits, outcomes, peakRssMB: process.resourceUsage().maxRSS / 1024, peakHeapMB, peakBuffersMB, startRssMB, startedAt };
}

/** A fresh, migrated si_bench_ingest with every benchmark sender as an active DTC (13 orgs × 97 contacts). */
async function prepareDatabase(adminUrl: string): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DB_NAME} with (force)`);
  await admin.unsafe(`create database ${DB_NAME}`);
  await admin.end();
  const url = Object.assign(new URL(adminUrl), { pathname: `/${DB_NAME}` }).toString();
  const database = await openDatabase({ url, dataDir: "memory://" });
  try {
    await migrate(database);
    for (let k = 0; k < 13; k++) {
      const org = await createOrganization(database.db, { name: `Customer ${k}`, policyId: "vantiq", entitlements: [], domains: [`customer${k}.example`], timeZone: "UTC" });
      for (let j = 0; j < 97; j++) {
        await createContact(database.db, { email: `dtc${j}@customer${k}.example`, name: `Contact ${j}`, organizationId: org.id, dtc: true });
      }
    }
  } finally {
    await database.close();
  }
  return url;
}

/** Runs this file in a child role; resolves with its stdout (the worker's JSON report). */
function child(role: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", SELF, "--role", role, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.on("error", reject);
    proc.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${role} exited with ${code}`))));
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(argv: string[]): Promise<void> {
  const n = argv.includes("--smoke") ? 200 : Number(argv[argv.indexOf("--n") + 1] ?? NaN) || 10_000;
  const adminUrl = process.env.TEST_DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/test";
  const harness = await startDovecot();
  try {
    const imap: Imap = { host: harness.host, port: harness.port, user: harness.user, password: harness.password };
    await harness.createFolder(FOLDER);
    const url = await prepareDatabase(adminUrl);
    console.log(`end-to-end ingest: ${n} messages, worker → Postgres ${DB_NAME}, Dovecot on ${imap.host}:${imap.port}`);
    const t0 = now();
    const [, report] = await Promise.all([
      child("append", [JSON.stringify(imap), String(n)]).then(() => console.log(`  appended ${n} messages in ${((now() - t0) / 1000).toFixed(1)} s (appender child)`)),
      child("worker", [JSON.stringify(imap), url, String(n)]).then((out) => JSON.parse(out) as WorkerReport),
    ]);
    const appendedAt = await appendTimes(imap, n);
    const latencies = report.commits.map(([i, t]) => t - appendedAt.get(i)!).sort((a, b) => a - b);
    const last = Math.max(...report.commits.map(([, t]) => t));
    const seconds = (last - t0) / 1000;
    const rate = n / seconds;
    const raw = await runRawIngestBench({ n, harness, folder: "BenchRaw" });
    console.log(`  rate:      ${rate.toFixed(1)} messages/s (${n} in ${seconds.toFixed(1)} s from the first append to the last commit)`);
    console.log(`  latency:   p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (append → commit)`);
    console.log(
      `  peak RSS:  ${report.peakRssMB.toFixed(0)} MB (worker process; ${report.startRssMB.toFixed(0)} MB before the first message, ` +
        `peak V8 heap ${report.peakHeapMB.toFixed(0)} MB, peak Buffers ${report.peakBuffersMB.toFixed(0)} MB)`,
    );
    console.log(`  outcomes:  ${JSON.stringify(report.outcomes)}`);
    console.log(formatRawIngest(raw));
    const ratio = rate / raw.messagesPerSecond;
    console.log(`ratio end-to-end / raw: ${(ratio * 100).toFixed(0)}%`);
    console.log(`targets: ≥ 300 msgs/s ${rate >= 300 ? "met" : "MISSED"}; ≥ 50% of raw ${ratio >= 0.5 ? "met" : "MISSED"}; ≤ 250 MB RSS ${report.peakRssMB <= 250 ? "met" : "MISSED"}`);
  } finally {
    await harness.stop();
  }
}

/** The X-Bench-Appended-At of every message, read back from Processed (headers only). */
async function appendTimes(imap: Imap, n: number): Promise<Map<number, number>> {
  const client = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.password }, logger: false });
  client.on("error", () => {});
  await client.connect();
  const times = new Map<number, number>();
  try {
    await client.mailboxOpen("Processed");
    for await (const m of client.fetch("1:*", { headers: ["x-bench-appended-at", "message-id"] })) {
      const text = m.headers?.toString() ?? "";
      const i = /bench-(\d+)@/.exec(text)?.[1];
      const at = /X-Bench-Appended-At:\s*([\d.]+)/i.exec(text)?.[1];
      if (i !== undefined && at !== undefined) times.set(Number(i), Number(at));
    }
  } finally {
    await client.logout();
  }
  if (times.size !== n) throw new Error(`found ${times.size} of ${n} messages in Processed: some were lost or not processed`);
  return times;
}

const roleAt = process.argv.indexOf("--role");
if (roleAt >= 0) {
  const [role, imapJson, a, b] = process.argv.slice(roleAt + 1);
  const imap = JSON.parse(imapJson!) as Imap;
  const run = role === "append" ? appender(imap, Number(a)) : worker(imap, a!, Number(b)).then((r) => void process.stdout.write(JSON.stringify(r)));
  run.catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (process.argv[1] === SELF) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  });
}
