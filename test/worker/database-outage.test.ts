/**
 * Issue 14, database outages: the real worker (`support-inbox start`, a child process) on a Maildir
 * mailbox against a private Postgres cluster that is stopped (fast, then immediate) while the worker is
 * idle and while it reads a backlog, then started again. Before the fix the worker died of an uncaught
 * TypeError in postgres.js or never touched the database again; now every message must become a case
 * exactly once with one acknowledgment, the log must say once that the database went away and once that
 * it is back, and SIGTERM must still stop the worker cleanly, even while the database is down.
 */
import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresClusterSkipReason, startPostgresCluster, type PostgresCluster, type StopMode } from "../../harness/postgres-cluster.js";
import { cleanEnv, runCli, startCli, waitForOutput, type CliRun } from "../cli-start/cli.js";

const skip = postgresClusterSkipReason();
if (skip) console.warn(`database outage test skipped: ${skip}`);

const WENT_AWAY = "database unavailable; pausing work and retrying until it is back";
const IS_BACK = "database is back; resuming work";
/** How long the database stays down; the runs used 10–30 s, the mechanism does not need as long. */
const OUTAGE_MS = 4_000;
/** The worker must be done within this of the database's return (the mailbox's poll interval is 60 s). */
const RECOVERY_MS = 45_000;

describe.skipIf(skip !== null)("the worker through Postgres outages", () => {
  let pg: PostgresCluster;
  let url: string;
  let dir: string;
  let worker: ReturnType<typeof startCli>;
  let exited: CliRun | null = null;
  let delivered = 0;
  let outages = 0;
  const logLines: Array<{ level: number; msg: string }> = [];

  beforeAll(async () => {
    pg = await startPostgresCluster();
    url = await pg.createDatabase("outage");
    dir = mkdtempSync(join(tmpdir(), "si-outage-"));
    const env = cleanEnv({ DATABASE_URL: url });
    writeFileSync(
      join(dir, "support-inbox.yaml"),
      [
        "mailboxes:",
        "  - { name: support, kind: maildir, address: support@vendor.example, policy: vantiq, maildir: { path: ./mail } }",
        "outboxDir: ./outbox",
        "supportDomain: support.vendor.example",
        // Ticks every second, so an idle worker notices the outage; small batches make a backlog last.
        "scheduler: { tickSeconds: 1 }",
        "ingest: { batchMessages: 10 }",
        // Every request gets its acknowledgment: the cap on automatic replies is not under test here.
        "autoReplyCapPerHour: 100000",
      ].join("\n"),
    );
    for (const args of [
      ["migrate"],
      ["org", "add", "--name", "Acme", "--policy", "vantiq", "--domain", "customer.example"],
      ["contact", "add", "--email", "jane.doe@customer.example", "--name", "Jane Doe", "--org", "Acme", "--dtc"],
    ]) {
      const run = await runCli(args, dir, env);
      expect(run.code, run.stderr).toBe(0);
    }
    worker = startCli(["start"], dir, env);
    worker.child.stdout?.on("data", collectLines(logLines));
    // The whole log stays beside the mailbox, for whoever reads a failure.
    worker.child.stdout?.on("data", (chunk: Buffer) => appendFileSync(join(dir, "worker.log"), chunk));
    void worker.done.then((run) => (exited = run));
    await waitForOutput(worker.child, '"msg":"worker started"');
  }, 180_000);

  afterAll(async () => {
    if (worker && !exited) worker.child.kill("SIGKILL");
    await pg?.destroy();
  });

  /** Delivers `count` requests from the DTC into new/ (written in tmp/, then renamed, as an MTA does). */
  function deliver(count: number): void {
    for (let i = 0; i < count; i++) {
      const n = ++delivered;
      const name = `${n}.outage-test.localhost`;
      const mail = [
        "From: Jane Doe <jane.doe@customer.example>",
        "To: support@vendor.example",
        `Subject: Request ${n}: deployment stuck`,
        `Message-ID: <outage-${n}@customer.example>`,
        "Date: Tue, 10 Nov 2026 09:14:10 -0800",
        "",
        "Severity: 3",
        "Environment: production",
        "",
      ].join("\r\n");
      writeFileSync(join(dir, "mail", "tmp", name), mail);
      renameSync(join(dir, "mail", "tmp", name), join(dir, "mail", "new", name));
    }
  }

  /**
   * The test's own queries, each on a new connection: a pool kept across the outages would meet the same
   * postgres.js faults the worker is being tested for.
   */
  async function query<T extends object>(text: string): Promise<T[]> {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      return [...(await sql.unsafe<T[]>(text))];
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  const caseCount = async () => (await query<{ n: number }>("select count(*)::int as n from cases"))[0]!.n;
  const count = (msg: string) => logLines.filter((l) => l.msg === msg).length;

  async function until(what: string, ms: number, done: () => Promise<boolean> | boolean): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await done())) {
      if (exited) throw new Error(`the worker exited (${exited.code}) while waiting for ${what}:\n${exited.stderr}`);
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (log: ${join(dir, "worker.log")})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the cluster, waits until the worker has said so, and starts it again after the outage. */
  async function outage(mode: StopMode): Promise<void> {
    await pg.stop(mode);
    outages += 1;
    await until("the warning that the database went away", 20_000, () => count(WENT_AWAY) === outages);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await pg.start();
  }

  /** Every request delivered so far is one case with one acknowledgment queued; nothing is doubled. */
  async function expectEachRequestOnce(): Promise<void> {
    const started = Date.now();
    await until(`${delivered} cases`, RECOVERY_MS, async () => (await caseCount()) >= delivered);
    const [stored] = await query<{ cases: number; inbound: number; distinctIds: number }>(`
      select (select count(*)::int from cases) as cases,
             count(*)::int as inbound,
             count(distinct message_id)::int as "distinctIds"
      from messages where direction = 'in'`);
    expect(stored).toEqual({ cases: delivered, inbound: delivered, distinctIds: delivered });
    const acks = await query<{ caseId: number; n: number }>(`
      select c.id as "caseId", count(o.id)::int as n
      from cases c left join outbox o on o.case_id = c.id and o.kind = 'acknowledgment'
      group by c.id having count(o.id) <> 1`);
    expect(acks, "cases without exactly one acknowledgment").toEqual([]);
    expect(exited).toBeNull();
    expect(count(IS_BACK)).toBe(outages);
    expect(count(WENT_AWAY)).toBe(outages);
    console.info(`database outage test: ${delivered} requests, ${outages} outages, caught up ${Date.now() - started} ms after the restart`);
  }

  it.each<[StopMode]>([["fast"], ["immediate"]])("idle worker, Postgres stopped (%s) and started again: new mail is processed", { timeout: 120_000 }, async (mode) => {
    await outage(mode);
    deliver(20);
    await expectEachRequestOnce();
  });

  it.each<[StopMode]>([["fast"], ["immediate"]])("Postgres stopped (%s) while a backlog is read: the rest of it and new mail are processed", { timeout: 180_000 }, async (mode) => {
    const before = delivered;
    deliver(300);
    await until("the backlog under way", 60_000, async () => (await caseCount()) >= before + 10);
    await outage(mode);
    expect(await caseCount(), "the outage came before the backlog was done").toBeLessThan(delivered);
    deliver(20);
    await expectEachRequestOnce();
  });

  it("stops on SIGTERM with exit code 0 while the database is down", { timeout: 60_000 }, async () => {
    await pg.stop("fast");
    outages += 1;
    await until("the warning that the database went away", 20_000, () => count(WENT_AWAY) === outages);
    const asked = Date.now();
    worker.child.kill("SIGTERM");
    const run = await worker.done;
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - asked, "stopped without the 30 s forced exit").toBeLessThan(15_000);
    expect(run.stderr).not.toMatch(/TypeError|uncaught/i);
    expect(logLines.slice(-2).map((l) => l.msg)).toEqual(["worker stopped", "stopped"]);
  });
});

/** Collects the worker's JSON log lines (stdout is a pipe, so pino writes JSON). */
function collectLines(into: Array<{ level: number; msg: string }>): (chunk: Buffer) => void {
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as { level?: unknown; msg?: unknown };
      into.push({ level: Number(parsed.level), msg: String(parsed.msg) });
    }
  };
}
