/**
 * The MTA pipe benchmark: `ingest` run once per mail, as Postfix's `pipe` (or RT's rt-mailgate) runs it, by both
 * clients an MTA can run: bin/support-inbox-pipe (Perl, the one the README recommends) and bin/support-inbox.js
 * (Node, its lean path in the compiled dist/), beside a running worker (`start`, compiled) on a fresh Postgres
 * database si_bench_pipe.
 *
 *  1. build (`npm run build`, skipped with --no-build when dist/ exists);
 *  2. worker started on a Maildir mailbox (no IMAP needed), waited for until its pipe socket answers;
 *  3. N mails per client of bench/ingest-raw.ts's text mix (no attachments: the pipe's own cost is measured,
 *     not MIME), from the seeded DTC senders, each piped by one `ingest --json` process, one after the other;
 *     CPU per mail = user + sys of that process alone (bash's `times` for its child, getrusage, ms);
 *  4. checks: every exit code 0 with a `new-case` verdict, then mail 0 piped again answers `duplicate`, and
 *     the database holds every bench Message-ID exactly once;
 *  5. references on the same machine: `node -e 0` (Node's own start, the floor of any Node client),
 *     `support-inbox --help` (the whole CLI's start-up) and `ingest` with no worker to hand to (a config whose
 *     data directory has no socket: the message is stored in-process, the path before the pipe socket).
 *
 *   npm run bench:pipe [-- --smoke | --n 200] [--no-build]
 *   (--smoke: 5 mails, 1–3 of each reference; Postgres: TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { stringify } from "yaml";
import { SUPPORT } from "../harness/support-address.js";
import { prepareDatabase } from "./ingest-database.js";
import { benchMessage } from "./ingest-raw.js";
import { PIPE_SOCKET } from "../src/inbound/pipe-protocol.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, "bin", "support-inbox.js");
const PIPE_BIN = join(ROOT, "bin", "support-inbox-pipe");
const MAIN = join(ROOT, "dist", "cli", "main.js");
const DB_NAME = "si_bench_pipe";
const TARGET_CPU_MS = 50;

interface Options {
  smoke: boolean;
  n: number;
  build: boolean;
}

function parseOptions(argv: string[]): Options {
  const smoke = argv.includes("--smoke");
  const at = argv.indexOf("--n");
  const n = at < 0 ? (smoke ? 5 : 200) : Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n expects a whole number ≥ 1, got ${argv[at + 1] ?? "nothing"}`);
  return { smoke, n, build: !argv.includes("--no-build") || !existsSync(MAIN) };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** user + sys of the command's process (and anything it started), ms. */
  cpuMs: number;
  wallMs: number;
}

/**
 * Runs `command` with `stdin` as an MTA would, under bash only to read the child's own CPU time: bash's
 * `times` prints the user and sys time of its finished children (getrusage), which is the command alone.
 */
function measured(command: string[], stdin: Buffer, cwd: string): Promise<Run> {
  const script = '"$@"; status=$?; times >&3; exit $status';
  const child = spawn("bash", ["-c", script, "bash", ...command], { cwd, stdio: ["pipe", "pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let times = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  (child.stdio[3] as NodeJS.ReadableStream).on("data", (c: Buffer) => (times += c.toString()));
  child.stdin!.on("error", () => {});
  child.stdin!.end(stdin);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      // Second line: children's user and sys, e.g. "0m0.041s 0m0.012s".
      const line = times.trim().split("\n")[1] ?? "";
      const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      if (secs.length !== 2) return reject(new Error(`could not read the CPU time of ${command.join(" ")} from bash's times: ${JSON.stringify(times)}`));
      resolve({ code, stdout, stderr, cpuMs: (secs[0]! + secs[1]!) * 1000, wallMs: performance.now() - t0 });
    });
  });
}

async function build(): Promise<void> {
  const code = await new Promise<number | null>((resolve, reject) => {
    const proc = spawn("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    proc.on("error", reject);
    proc.on("close", resolve);
  });
  if (code !== 0) throw new Error(`npm run build failed (exit ${code}); fix the errors above, or pass --no-build to bench the existing dist/`);
}

function writeConfig(dir: string, name: string, databaseUrl: string, extra: Record<string, unknown> = {}): string {
  const config = {
    database: { url: databaseUrl, ...extra },
    mailboxes: [{ name: "support", address: SUPPORT, policy: "vantiq", kind: "maildir", maildir: { path: join(dir, "maildir") } }],
    // No smtp section: acknowledgments are written as .eml files; nothing leaves the machine.
    outboxDir: join(dir, "outbox"),
    http: false,
    log: { level: "info" },
  };
  const file = join(dir, name);
  writeFileSync(file, `# generated by bench/pipe.ts\n${stringify(config)}`);
  return file;
}

/** The worker, started as a deployment starts it; resolves once its pipe socket exists. */
async function startWorker(dir: string, config: string): Promise<{ stop(): Promise<number | null>; log: () => string }> {
  let log = "";
  const proc = spawn(process.execPath, [MAIN, "start", "--config", config], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout.on("data", (c: Buffer) => (log += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (log += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("close", resolve));
  const socket = join(dir, "data", PIPE_SOCKET);
  for (let waited = 0; !existsSync(socket); waited += 100) {
    if (proc.exitCode !== null || waited > 120_000) {
      proc.kill("SIGKILL");
      throw new Error(`the worker did not open its pipe socket ${socket} within 120 s (exit ${proc.exitCode}); its log:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    log: () => log,
    stop: async () => {
      proc.kill("SIGTERM");
      return exited;
    },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sortedOf = (xs: number[]) => [...xs].sort((a, b) => a - b);
const fmt = (xs: number[]) => {
  const s = sortedOf(xs);
  return `median ${percentile(s, 50).toFixed(0)} ms, p90 ${percentile(s, 90).toFixed(0)} ms (n=${s.length})`;
};
const uptime = () => execFileSync("uptime", { encoding: "utf8" }).trim();

async function storedOnce(url: string, n: number): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ id: string; n: number }[]>`select message_id as id, count(*)::int as n from messages where direction = 'in' and message_id like 'bench-%' group by message_id`;
    const counts = new Map(rows.map((r) => [r.id, r.n]));
    const problems: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = counts.get(`bench-${i}@customer.example`) ?? 0;
      if (c !== 1) problems.push(`bench-${i} stored ${c} times`);
    }
    if (counts.size !== n) problems.push(`${counts.size} bench messages stored, expected ${n}`);
    return problems;
  } finally {
    await sql.end();
  }
}

async function main(argv: string[]): Promise<void> {
  const opts = parseOptions(argv);
  const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  if (opts.build) await build();
  const before = uptime();
  const dir = mkdtempSync(join(tmpdir(), "si-bench-pipe-"));
  const url = await prepareDatabase(adminUrl, DB_NAME);
  const config = writeConfig(dir, "support-inbox.yaml", url);
  const worker = await startWorker(dir, config);
  const problems: string[] = [];
  try {
    // The Perl client first (what the README puts in master.cf), then the Node CLI's own lean path.
    const clients = [
      { label: "support-inbox-pipe   ", command: [PIPE_BIN, "--config", config, "ingest", "--json"], runs: [] as Run[] },
      { label: "support-inbox (Node) ", command: [process.execPath, BIN, "--config", config, "ingest", "--json"], runs: [] as Run[] },
    ];
    for (const [c, client] of clients.entries()) {
      for (let i = c * opts.n; i < (c + 1) * opts.n; i++) {
        const run = await measured(client.command, benchMessage(i, SUPPORT, 0), dir);
        client.runs.push(run);
        const outcome = run.code === 0 ? (JSON.parse(run.stdout) as { outcome: string }).outcome : null;
        if (run.code !== 0 || outcome !== "new-case") problems.push(`${client.label.trim()} mail ${i}: exit ${run.code}, ${run.stdout.trim() || run.stderr.trim()}`);
      }
    }
    const ingest = clients[0]!.command;
    const piped = clients[0]!.runs;
    const again = await measured(ingest, benchMessage(0, SUPPORT, 0), dir);
    if (again.code !== 0 || !again.stdout.includes('"duplicate"')) problems.push(`mail 0 piped again: exit ${again.code}, ${again.stdout.trim() || again.stderr.trim()} (expected duplicate)`);
    problems.push(...(await storedOnce(url, 2 * opts.n)));
    if (!worker.log().includes(`"messageId":"bench-${2 * opts.n - 1}@customer.example"`)) problems.push("the worker's log does not show the last mail: it was not stored by the worker");

    const refs = opts.smoke ? 1 : 20;
    const floor: number[] = [];
    const help: number[] = [];
    const alone: number[] = [];
    for (let k = 0; k < refs * 2; k++) floor.push((await measured([process.execPath, "-e", "0"], Buffer.alloc(0), dir)).cpuMs);
    for (let k = 0; k < refs; k++) help.push((await measured([process.execPath, BIN, "--help"], Buffer.alloc(0), dir)).cpuMs);
    // A data directory without a worker's socket: `ingest` stores the message in its own process.
    const noWorker = writeConfig(dir, "no-worker.yaml", url, { dataDir: join(dir, "no-worker-data") });
    for (let k = 0; k < Math.max(1, refs / 2); k++) {
      const run = await measured([process.execPath, BIN, "--config", noWorker, "ingest", "--json"], benchMessage(2 * opts.n + 1 + k, SUPPORT, 0), dir);
      if (run.code !== 0) problems.push(`ingest without a worker: exit ${run.code}, ${run.stderr.trim()}`);
      alone.push(run.cpuMs);
    }

    const cpu = sortedOf(piped.map((r) => r.cpuMs));
    const median = percentile(cpu, 50);
    console.log(`\nbench:pipe — ${opts.n} mails per client, one \`ingest\` process each, into Postgres ${DB_NAME} beside a running worker${opts.smoke ? " (smoke: figures not judged)" : ""}`);
    console.log(`uptime before: ${before}`);
    for (const client of clients) console.log(`  ${client.label} CPU per mail ${fmt(client.runs.map((r) => r.cpuMs))}; wall ${fmt(client.runs.map((r) => r.wallMs))}`);
    console.log(`  node -e 0 (floor)     CPU ${fmt(floor)}`);
    console.log(`  support-inbox --help  CPU ${fmt(help)}`);
    console.log(`  ingest, no worker     CPU ${fmt(alone)} (stored in its own process)`);
    console.log(`  checks: ${2 * opts.n} exit codes, verdicts, a repeat answered as duplicate, every Message-ID stored once: ${problems.length === 0 ? "ok" : `${problems.length} problem(s)`}`);
    console.log(`  target ≤ ${TARGET_CPU_MS} ms CPU per piped mail (median): ${median <= TARGET_CPU_MS ? "met" : `not met (${median.toFixed(0)} ms)`} with support-inbox-pipe; Node's own start alone is ${percentile(sortedOf(floor), 50).toFixed(0)} ms`);
    console.log(`uptime after:  ${uptime()}`);
  } finally {
    const code = await worker.stop();
    if (code !== 0) problems.push(`the worker exited ${code} on SIGTERM`);
    rmSync(dir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    console.error(problems.slice(0, 20).join("\n"));
    process.exitCode = 1;
  }
}

await main(process.argv.slice(2));
