/**
 * End-to-end ingest benchmark of the service as users deploy it: the compiled CLI
 * (`node dist/cli/main.js start --config …`, what the Docker image runs) against Postgres database
 * si_bench_ingest and a private Dovecot, with bench/ingest-raw.ts's mix (0.5–12 KB of text, every 4th
 * with HTML, 5% with a 1–5 MB attachment).
 *
 *  1. build (`npm run build`, skipped with --no-build);
 *  2. backlog: N messages appended before the service starts (setup, not timed), then the service is
 *     spawned; rate = N / (last commit − spawn), so startup counts; the rate after the first commit is
 *     printed too. Backlog append → commit latency is printed but mostly measures queue position;
 *  3. live: with the service still running (idle on IMAP IDLE), M more messages appended at a paced
 *     rate; their append → commit p50/p99 is the latency a customer sees (when the service keeps up
 *     with that rate; the bench says so when it does not);
 *  4. peak RSS = VmHWM of the service process just before SIGTERM (baseline at startup printed too);
 *  5. verification: every message in Processed exactly once, nothing left or quarantined, N+M cases;
 *  6. the raw ceiling (imapflow fetch + mailparser alone) on the same Dovecot, the ratio and the targets.
 *
 * Commit times are pino's `time` on the service's outcome log lines (logged right after each commit);
 * append times are the X-Bench-Appended-At header the appender sets just before APPEND.
 * The service's other jobs (scheduler, digest, retention, outbox → .eml files) run as in production.
 *
 * Outgoing mail goes over SMTP to a local smtp-server in a child process (bench/ingest-smtp-child.ts),
 * which stamps each acceptance: commit → acceptance of each message's acknowledgment is the latency a
 * customer waits for it, and the outbox is polled until empty after the last commit.
 * CPU per message is counted for the service, the Postgres backends of the bench database's connections
 * and the private Dovecot's process tree only (bench/ingest-cpu.ts), never other processes of the machine.
 *
 *   npm run bench:ingest [-- --smoke | --n 2000] [--plain] [--live 1000] [--live-rate 100] [--no-build] [--log service.log]
 *   (--smoke: 200 messages, 50 live; --plain: no attachments (BENCH_ATTACH_P=0), the plain-mail target;
 *    Postgres: TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { SUPPORT } from "../harness/support-address.js";
import { dovecotSkipReason, startDovecot } from "../harness/dovecot.js";
import { countRows, DB_NAME, prepareDatabase, waitOutboxEmpty } from "./ingest-database.js";
import { appendStamped, readFolder, type AppendResult, type ImapTarget } from "./ingest-append.js";
import { formatRawIngest, runRawIngestBench } from "./ingest-raw.js";
import { verify } from "./ingest-verify.js";
import { cpuSecondsOf, ServiceProcess, writeServiceConfig, type Commit, type ServiceSetup } from "./ingest-service.js";
import { dovecotTree, postgresBackends, ProcessSetCpu } from "./ingest-cpu.js";
import { duplicates, startAckSink, type Accepted, type AckSink } from "./ingest-smtp.js";

const SELF = fileURLToPath(import.meta.url);
const ROOT = dirname(dirname(SELF));
const MAIN = join(ROOT, "dist", "cli", "main.js");
const FOLDER = "BenchIngest";
/** Issue 18: ≥ 400/s for plain mail, ≥ 150/s for the mix; acknowledgments ≤ 2 s (p99) after the commit, outbox empty ≤ 2 s after the last. */
const TARGET = { plainRate: 400, mixRate: 150, ratio: 0.5, rssMB: 250, ackP99Ms: 2_000, outboxEmptyMs: 2_000 };

interface Options {
  /** --smoke: a short run that proves the bench and the built service work (CI runs it). */
  smoke: boolean;
  n: number;
  live: number;
  liveRate: number;
  build: boolean;
  /** --plain: text and HTML mail only, no attachment (the plain-mail targets). */
  plain: boolean;
  /** --log FILE: keep the service's log lines. */
  log?: string;
}

function parseOptions(argv: string[]): Options {
  const smoke = argv.includes("--smoke");
  const value = (flag: string, fallback: number, min: number): number => {
    const at = argv.indexOf(flag);
    if (at < 0) return fallback;
    const v = Number(argv[at + 1]);
    if (!Number.isFinite(v) || v < min || (flag !== "--live-rate" && !Number.isInteger(v))) {
      throw new Error(`${flag} expects a number ≥ ${min}, got ${argv[at + 1] ?? "nothing"}`);
    }
    return v;
  };
  const log = argv.includes("--log") ? argv[argv.indexOf("--log") + 1] : undefined;
  if (argv.includes("--log") && (log === undefined || log.startsWith("--"))) throw new Error("--log expects a file name");
  return {
    smoke,
    n: value("--n", smoke ? 200 : 10_000, 1),
    live: value("--live", smoke ? 50 : 1_000, 0),
    liveRate: value("--live-rate", 100, 0.1),
    build: !argv.includes("--no-build"),
    plain: argv.includes("--plain"),
    ...(log ? { log } : {}),
  };
}

/** `npm run build` so the bench measures the code in the tree, compiled as the image compiles it. */
export async function build(): Promise<number> {
  const t0 = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const proc = spawn("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    proc.on("error", reject);
    proc.on("close", resolve);
  });
  if (code !== 0) throw new Error(`npm run build failed (exit ${code}); fix the type errors above, or pass --no-build to bench the existing dist/`);
  return (Date.now() - t0) / 1000;
}

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
const firstApplied = (list: Commit[] | undefined) => list?.find((c) => c.outcome !== "duplicate");

/** Append → commit of messages [from, to), ascending, from the stamps read back from Processed. */
function latencies(service: ServiceProcess, appendedAt: Map<number, number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    const commit = firstApplied(service.commits.get(i));
    const at = appendedAt.get(i);
    if (commit && at !== undefined) out.push(commit.at - at);
  }
  return out.sort((a, b) => a - b);
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const mb = (v: number | null | undefined) => (v === null || v === undefined ? "?" : `${v.toFixed(0)} MB`);
const spread = (l: number[]) => (l.length === 0 ? "no data" : `p50 ${ms(percentile(l, 50))}, p99 ${ms(percentile(l, 99))}, max ${ms(l[l.length - 1]!)}`);

interface ServiceRun {
  n: number;
  stats: ServiceProcess;
  stopped: Awaited<ReturnType<ServiceProcess["stop"]>>;
  firstCommit: number;
  lastCommit: number;
  liveSpan: { first: number; last: number };
  paced: AppendResult | null;
  outboxQueued: { atLive: number; afterLive: number };
  loadDuring: number;
  /** CPU seconds used from spawn to the backlog's last commit: the service, the bench database's Postgres backends, the private Dovecot. */
  backlogCpu: Cpu;
  /** The same over the live phase (from its first append to its last commit). */
  liveCpu: Cpu;
  /** Milliseconds from the live phase's last commit until the outbox had nothing queued or sending (null: not within 60 s). */
  outboxEmptyAfterMs: number | null;
}

interface Cpu {
  service: number;
  postgres: number;
  dovecot: number;
}

/** First and last commit time of messages [from, to) (all committed). */
function commitSpan(stats: ServiceProcess, from: number, to: number): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  for (let i = from; i < to; i++) {
    const at = firstApplied(stats.commits.get(i))!.at;
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  return { first, last };
}

/** Backlog, then live, on one service process; stopped (gracefully) before returning. */
async function runService(opts: Options, setup: ServiceSetup, imap: ImapTarget, adminUrl: string, dovecotConf: string): Promise<ServiceRun> {
  const { n, live } = opts;
  const backends = postgresBackends(adminUrl, DB_NAME);
  const postgresCpu = new ProcessSetCpu(backends.list);
  const dovecotCpu = new ProcessSetCpu(dovecotTree(dovecotConf));
  await Promise.all([postgresCpu.baseline(), dovecotCpu.baseline()]);
  const stats = new ServiceProcess(setup, writeServiceConfig(setup), opts.log);
  const cpuNow = async (): Promise<Cpu> => ({ service: cpuSecondsOf(stats.pid) ?? NaN, postgres: await postgresCpu.seconds(), dovecot: await dovecotCpu.seconds() });
  try {
    stats.phase = "backlog";
    await stats.waitForCommits(0, n);
    const backlogCpu = await cpuNow();
    const { first: firstCommit, last: lastCommit } = commitSpan(stats, 0, n);
    // Live: the same service, idle on IDLE after the backlog, receives mail at a steady pace.
    const atLive = (await countRows(setup.databaseUrl)).outboxQueued;
    stats.phase = "live";
    const liveStartCpu = await cpuNow();
    const paced = live > 0 ? await appendStamped(imap, FOLDER, SUPPORT, n, n + live, { rate: opts.liveRate }) : null;
    await stats.waitForCommits(n, n + live);
    const liveEndCpu = await cpuNow();
    const liveSpan = commitSpan(stats, n, n + live);
    const afterLive = (await countRows(setup.databaseUrl)).outboxQueued;
    const outboxEmptyAfterMs = await outboxEmptySince(setup.databaseUrl, live > 0 ? liveSpan.last : lastCommit);
    const loadDuring = loadavg()[0]!;
    const stopped = await stats.stop();
    const liveCpu = { service: liveEndCpu.service - liveStartCpu.service, postgres: liveEndCpu.postgres - liveStartCpu.postgres, dovecot: liveEndCpu.dovecot - liveStartCpu.dovecot };
    return { n, stats, stopped, firstCommit, lastCommit, liveSpan, paced, outboxQueued: { atLive, afterLive }, loadDuring, backlogCpu, liveCpu, outboxEmptyAfterMs };
  } finally {
    postgresCpu.stop();
    dovecotCpu.stop();
    await backends.close();
    await stats.kill();
  }
}

/** Ms from `since` (a commit time) until the outbox had nothing queued or sending; null when not within 60 s. */
async function outboxEmptySince(url: string, since: number): Promise<number | null> {
  const at = await waitOutboxEmpty(url);
  return at === null ? null : Math.max(0, at - since);
}

/** Commit → SMTP acceptance of the first reply to each bench message in [from, to), ascending; and how many had none. */
function ackLatencies(stats: ServiceProcess, accepted: Accepted[], from: number, to: number): { sorted: number[]; missing: number } {
  const firstAck = new Map<number, number>();
  for (const a of accepted) if (a.replyTo !== null && !firstAck.has(a.replyTo)) firstAck.set(a.replyTo, a.at);
  const sorted: number[] = [];
  let missing = 0;
  for (let i = from; i < to; i++) {
    const commit = firstApplied(stats.commits.get(i));
    const ack = firstAck.get(i);
    if (commit && ack !== undefined) sorted.push(ack - commit.at);
    else missing++;
  }
  return { sorted: sorted.sort((a, b) => a - b), missing };
}

const cpuLine = (cpu: Cpu, count: number, span: string) => {
  const per = (s: number) => `${((s * 1000) / count).toFixed(2)} ms/message`;
  return (
    `service ${cpu.service.toFixed(1)} s (${per(cpu.service)}), Postgres backends of ${DB_NAME} ${cpu.postgres.toFixed(1)} s (${per(cpu.postgres)}), ` +
    `private Dovecot ${cpu.dovecot.toFixed(1)} s (${per(cpu.dovecot)}), ${span}`
  );
};

function printServiceRun(r: ServiceRun, opts: Options, latency: { backlog: number[]; live: number[] }, acks: { backlog: ReturnType<typeof ackLatencies>; live: ReturnType<typeof ackLatencies>; accepted: number }): void {
  const { stats, stopped, paced } = r;
  const since = (t: number | null) => (t === null ? "?" : ((t - stats.spawnedAt) / 1000).toFixed(2));
  console.log(`backlog: ${opts.n} messages waiting in ${FOLDER} when the service is spawned`);
  console.log(`  rate:      ${backlogRate(r).toFixed(1)} messages/s (${opts.n} from spawn to the last commit in ${since(r.lastCommit)} s)`);
  console.log(
    `             ${rateAfterFirst(r).toFixed(1)} messages/s from the first commit ` +
      `(startup: ${since(stats.workerStartedAt)} s to "worker started", ${since(r.firstCommit)} s to the first commit)`,
  );
  // CPU per message varies far less than rates on a shared machine: compare runs by it.
  console.log(`  cpu:       ${cpuLine(r.backlogCpu, opts.n, "from spawn to the last commit")}`);
  console.log(`  latency:   ${spread(latency.backlog)} (backlog latency: append → commit while queued behind the rest of the backlog, not service latency)`);
  console.log(`  acks:      ${spread(acks.backlog.sorted)} (commit → SMTP acceptance of the acknowledgment), ${acks.backlog.missing} messages without one`);
  if (paced) {
    console.log(`live: ${opts.live} messages appended at ${opts.liveRate}/s to the running service`);
    console.log(`  appended:  ${paced.startRate.toFixed(1)} messages/s achieved (appends started), worst ${ms(paced.maxLagMs)} behind schedule`);
    console.log(`  latency:   ${spread(latency.live)} (append → commit)`);
    console.log(`  acks:      ${spread(acks.live.sorted)} (commit → SMTP acceptance of the acknowledgment), ${acks.live.missing} messages without one`);
    console.log(`  cpu:       ${cpuLine(r.liveCpu, opts.live, "from the first append to the last commit")}`);
    // A service slower than the offered rate turns the live phase into another backlog: say so.
    const served = opts.live > 1 ? (opts.live - 1) / ((r.liveSpan.last - r.liveSpan.first) / 1000) : NaN;
    if (served < 0.9 * paced.startRate) {
      console.log(
        `  BEHIND:    the service committed ${served.toFixed(1)} messages/s < ${paced.startRate.toFixed(1)}/s offered, so this latency ` +
          `includes queueing; a lower --live-rate shows the latency of a service that keeps up`,
      );
    }
    console.log(`  outbox:    ${r.outboxQueued.atLive} replies queued when it began, ${r.outboxQueued.afterLive} when it ended (sent meanwhile by the outbox service, woken after each committed batch)`);
  }
  console.log(`  outbox:    empty ${r.outboxEmptyAfterMs === null ? "NOT within 60 s" : ms(r.outboxEmptyAfterMs)} after the last commit; ${acks.accepted} mails accepted by the SMTP server in all`);
  console.log(`service process (pid ${stats.pid}):`);
  console.log(
    `  peak RSS:  ${mb(stopped.peakMB)} (VmHWM just before SIGTERM); ${mb(stats.rssAtStartMB)} at "worker started", ` +
      `${mb(stats.rssAtFirstCommitMB)} at the first commit; sampled peak backlog ${mb(stats.sampledPeakMB.backlog)}, live ${mb(stats.sampledPeakMB.live)}`,
  );
  if (stats.childrenPeakMB > 0) console.log(`             + ${mb(stats.childrenPeakMB)} sampled peak of its child processes = ${mb(peakRss(r))}`);
  console.log(`  outcomes:  ${JSON.stringify(stats.outcomes)}; log: ${stats.warnings.length} warnings, ${stats.errors.length} errors`);
  console.log(`  stop:      ${stopped.exit} ${stopped.stopSeconds.toFixed(1)} s after SIGTERM; load average ${r.loadDuring.toFixed(1)} (1 min) just before`);
  for (const line of [...stats.warnings, ...stats.errors].slice(0, 10)) console.error(`  service: ${line}`);
}

/** The end-to-end rate of the issue: N / (last commit − spawn), startup included. */
const backlogRate = (r: ServiceRun) => r.n / ((r.lastCommit - r.stats.spawnedAt) / 1000);
/** Without startup: the messages after the first over the time between the first and the last commit. */
const rateAfterFirst = (r: ServiceRun) => (r.n > 1 ? (r.n - 1) / ((r.lastCommit - r.firstCommit) / 1000) : NaN);
/** Child processes (none today) have their own VmHWM; their sampled peak is added rather than left out. */
const peakRss = (r: ServiceRun) => r.stopped.peakMB + r.stats.childrenPeakMB;

async function main(argv: string[]): Promise<void> {
  const opts = parseOptions(argv);
  const { n, live } = opts;
  const total = n + live;
  // Read by benchMessage for every message of the run (and the raw ceiling's), so set before anything is appended.
  if (opts.plain) process.env.BENCH_ATTACH_P = "0";
  const adminUrl = process.env.TEST_DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/test";
  // Without a private Dovecot there is nothing to measure; a smoke run skips as the IMAP tests do.
  const noDovecot = dovecotSkipReason();
  if (noDovecot && opts.smoke) {
    console.log(`bench:ingest --smoke skipped: ${noDovecot}`);
    return;
  }
  if (noDovecot) throw new Error(`bench:ingest needs a private Dovecot: ${noDovecot}`);

  if (opts.build) console.log(`build:     npm run build in ${(await build()).toFixed(1)} s`);
  if (!existsSync(MAIN)) throw new Error(`${relative(ROOT, MAIN)} not found: run without --no-build (or npm run build) first`);

  console.log(`uptime:    ${uptime()} (before)`);
  const harness = await startDovecot();
  const dir = await fs.mkdtemp(join(tmpdir(), "si-bench-ingest-"));
  let sink: AckSink | null = null;
  try {
    sink = await startAckSink();
    const imap: ImapTarget = { host: harness.host, port: harness.port, user: harness.user, password: harness.password };
    await harness.createFolder(FOLDER);
    const t0 = Date.now();
    const url = await prepareDatabase(adminUrl);
    const dbSeconds = (Date.now() - t0) / 1000;
    const backlog = await appendStamped(imap, FOLDER, SUPPORT, 0, n);
    console.log(`end-to-end ingest: node ${relative(ROOT, MAIN)} start → Postgres ${DB_NAME}, Dovecot ${imap.host}:${imap.port}, outbox over SMTP to smtp-server 127.0.0.1:${sink.port} (pid ${sink.pid}); ${opts.plain ? "plain mail (no attachments)" : "the mix (5% with a 1–5 MB attachment)"}`);
    // The machine is shared: a load above the core count means the figures below are pessimistic.
    console.log(`  machine:   ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} (1 min) before the service starts`);
    console.log(
      `  setup:     database (13 orgs × 97 DTCs) in ${dbSeconds.toFixed(1)} s; ${n} messages (${(backlog.bytes / 1e6).toFixed(0)} MB) ` +
        `appended in ${backlog.seconds.toFixed(1)} s (${(n / backlog.seconds).toFixed(0)}/s, before the service starts; not timed)`,
    );

    const smtp = { host: "127.0.0.1", port: sink.port, secure: false };
    // The bench's 1,261 DTCs each open ~10 cases within minutes: under the default cap of 5 automatic replies an
    // hour most acknowledgments would be held for the scheduler (README "the per-sender cap"), and the bench
    // measures whether the outbox keeps pace with intake, so every acknowledgment is let through at once.
    const configExtra = { smtp, autoReplyCapPerHour: 100_000 };
    const setup: ServiceSetup = { main: MAIN, dir, databaseUrl: url, imap, folder: FOLDER, address: SUPPORT, policy: "vantiq", configExtra };
    const run = await runService(opts, setup, imap, adminUrl, join(dirname(dirname(harness.mailDir)), "dovecot.conf"));
    const accepted = await sink.accepted();

    // Exactly once, nothing left behind; the stamps read back from Processed give the latencies.
    const [processed, leftover, quarantined, rows] = await Promise.all([
      readFolder(imap, "Processed"),
      readFolder(imap, FOLDER),
      readFolder(imap, "Quarantine"),
      countRows(url),
    ]);
    const appendedAt = new Map(processed.flatMap((m) => (m.index !== null && m.appendedAt !== null ? [[m.index, m.appendedAt] as const] : [])));
    const acks = { backlog: ackLatencies(run.stats, accepted, 0, n), live: ackLatencies(run.stats, accepted, n, total), accepted: accepted.length };
    printServiceRun(run, opts, { backlog: latencies(run.stats, appendedAt, 0, n), live: latencies(run.stats, appendedAt, n, total) }, acks);
    const problems = verify({ stats: run.stats, processed, leftover: leftover.length, quarantined: quarantined.length, cases: rows.cases, total, exit: run.stopped.exit, folder: FOLDER, database: DB_NAME });
    const twice = duplicates(accepted);
    if (twice.length > 0) problems.push(`${twice.length} mails accepted by the SMTP server more than once: ${twice.slice(0, 5).join(", ")}`);
    if (problems.length > 0) throw new Error(`verification FAILED, the figures above are not valid:\n  - ${problems.join("\n  - ")}`);
    console.log(`verified:  ${total} messages in Processed exactly once, ${FOLDER} and Quarantine empty, ${rows.cases} cases in ${DB_NAME}`);

    // The raw ceiling on the same Dovecot, with the service stopped.
    const raw = await runRawIngestBench({ n, harness, folder: "BenchRaw" });
    console.log(formatRawIngest(raw));
    const rate = backlogRate(run);
    const ratio = rate / raw.messagesPerSecond;
    console.log(`ratio end-to-end / raw: ${(ratio * 100).toFixed(0)}% (${((rateAfterFirst(run) / raw.messagesPerSecond) * 100).toFixed(0)}% from the first commit)`);
    const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
    console.log(`targets:`);
    const targetRate = opts.plain ? TARGET.plainRate : TARGET.mixRate;
    console.log(`  ≥ ${targetRate} messages/s end to end (${opts.plain ? "plain" : "mix"}): ${verdict(rate >= targetRate)} (${rate.toFixed(1)})`);
    console.log(`  ≥ ${TARGET.ratio * 100}% of the raw rate:      ${verdict(ratio >= TARGET.ratio)} (${(ratio * 100).toFixed(0)}%)`);
    console.log(`  peak RSS ≤ ${TARGET.rssMB} MB:          ${verdict(peakRss(run) <= TARGET.rssMB)} (${peakRss(run).toFixed(0)} MB)`);
    const ackSpread = live > 0 ? acks.live.sorted : acks.backlog.sorted;
    const ackP99 = ackSpread.length > 0 ? percentile(ackSpread, 99) : NaN;
    console.log(`  acks p99 ≤ ${TARGET.ackP99Ms} ms (${live > 0 ? `live, ${opts.liveRate}/s` : "backlog"}): ${verdict(ackP99 <= TARGET.ackP99Ms)} (${ackSpread.length > 0 ? ms(ackP99) : "no acknowledgment accepted"})`);
    const empty = run.outboxEmptyAfterMs;
    console.log(`  outbox empty ≤ ${TARGET.outboxEmptyMs} ms after the last commit: ${verdict(empty !== null && empty <= TARGET.outboxEmptyMs)} (${empty === null ? "> 60 s" : ms(empty)})`);
  } finally {
    await sink?.close();
    await harness.stop();
    await fs.rm(dir, { recursive: true, force: true });
    console.log(`uptime:    ${uptime()} (after)`);
  }
}

/** `uptime`'s line (load averages over 1, 5 and 15 minutes): the machine is shared, so every run says how busy it was. */
function uptime(): string {
  return execFileSync("uptime", { encoding: "utf8" }).trim();
}

if (process.argv[1] === SELF) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  });
}
