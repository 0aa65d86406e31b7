/**
 * Two workers (two contexts, each with its own pool and locks session) on one Postgres and one IMAP
 * mailbox with a backlog: only the owner of the mailbox's advisory lock drains it, so every message lands
 * in Processed exactly once and opens one case; when the owner stops, the standby takes over.
 * Postgres only: PGlite is one process, and two of them cannot share a database.
 */
import { ImapFlow } from "imapflow";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { createContext, type AppContext } from "../../src/context.js";
import { silentLogger } from "../../src/log/logger.js";
import { listCases } from "../../src/store/repos/cases.js";
import { openWorkerLocks, type WorkerLocks } from "../../src/store/worker-locks.js";
import { buildWorker } from "../../src/worker/jobs.js";
import { runWorker } from "../../src/worker/run.js";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../../harness/dovecot.js";
import { SUPPORT } from "../../harness/support-address.js";
import { testDatabases } from "../support/db.js";
import { seedAcme } from "../support/desk.js";

const target = testDatabases().find((t) => t.name === "postgres");
const skip = dovecotSkipReason() ?? (target ? null : "TEST_DATABASE_URL is not set");
if (skip) console.warn(`Skipping mailbox ownership tests: ${skip}`);

const BACKLOG = 120;
const request = (n: number) =>
  `From: Jane Doe <jane.doe@customer.example>\r\nTo: ${SUPPORT}\r\nSubject: Request ${n}: ingest stalls\r\n` +
  `Date: Tue, 10 Nov 2026 09:00:00 -0800\r\nMessage-ID: <owner-${n}@customer.example>\r\n` +
  `Content-Type: text/plain; charset=utf-8\r\n\r\nName: Jane Doe\r\nCompany: Acme\r\nSeverity: 3\r\n` +
  `Environment: production\r\nSteps to reproduce:\r\n1. publish ${n} events\r\n`;

/** Message-IDs in a folder, duplicates kept, read on a fresh session. */
async function messageIdsIn(h: DovecotHarness, folder: string): Promise<string[]> {
  const client = new ImapFlow({ host: h.host, port: h.port, secure: false, auth: { user: h.user, pass: h.password }, logger: false });
  client.on("error", () => {});
  await client.connect();
  try {
    const box = await client.mailboxOpen(folder).catch(() => null);
    if (!box || box.exists === 0) return [];
    return (await client.fetchAll("1:*", { envelope: true })).map((m) => m.envelope?.messageId ?? "").sort();
  } finally {
    await client.logout();
  }
}

interface Worker {
  ctx: AppContext;
  locks: WorkerLocks;
  stop(): Promise<void>;
}

describe.skipIf(skip !== null)("one owner per mailbox", () => {
  let dovecot: DovecotHarness;
  let config: ReturnType<typeof configSchema.parse>;
  const workers: Worker[] = [];

  beforeAll(async () => {
    dovecot = await startDovecot();
    await target!.open();
    const dir = await mkdtemp(join(tmpdir(), "si-owner-"));
    config = configSchema.parse({
      database: { url: target!.options.url },
      mailboxes: [{
        name: "support", kind: "imap", address: SUPPORT, policy: "vantiq",
        imap: { host: dovecot.host, port: dovecot.port, tls: false, user: dovecot.user, password: dovecot.password, folder: "INBOX", processedFolder: "Processed", pollIntervalSeconds: 1 },
      }],
      outboxDir: join(dir, "outbox"),
      supportDomain: "support.vendor.example",
      ingest: { parseThreads: 0, batchMessages: 10 },
      scheduler: { tickSeconds: 3600 },
      log: { level: "silent" },
    });
    await seedAcme(target!.database.db);
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await dovecot?.stop();
    await target?.close();
  });

  /** A worker as `start` runs it, with its own context, pool and locks session. */
  async function startWorker(): Promise<Worker> {
    const ctx = await createContext(config, { logger: silentLogger() });
    const locks = await openWorkerLocks(ctx.database, config.database.url);
    const wiring = buildWorker(ctx, { once: false, locks, ownerRetryMs: 200 });
    const controller = new AbortController();
    const running = runWorker({ clock: ctx.clock, logger: silentLogger(), signal: controller.signal, jobs: wiring.jobs, services: wiring.services, tickMs: 3_600_000 });
    let stopped = false;
    const worker = {
      ctx,
      locks,
      async stop() {
        if (stopped) return;
        stopped = true;
        controller.abort();
        await running;
        await wiring.close();
        await locks.close();
        await ctx.close();
      },
    };
    workers.push(worker);
    return worker;
  }

  const caseCount = async () => (await listCases(target!.database.db)).length;
  const expected = (count: number) => Array.from({ length: count }, (_, i) => `<owner-${i + 1}@customer.example>`).sort();

  it("files each message of a backlog once, opens each case once, and the standby takes over", { timeout: 120_000 }, async () => {
    for (let n = 1; n <= BACKLOG; n++) await dovecot.appendMessage(request(n), "INBOX");
    const [a, b] = await Promise.all([startWorker(), startWorker()]);
    await vi.waitFor(async () => expect(await caseCount()).toBeGreaterThan(0), { timeout: 30_000, interval: 20 });
    // Exactly one of them owns the mailbox (asking the owner confirms without taking it twice).
    const owns = await Promise.all([a.locks.holdMailbox("support"), b.locks.holdMailbox("support")]);
    expect(owns.filter(Boolean)).toHaveLength(1);
    const [owner, standby] = owns[0] ? [a, b] : [b, a];

    await vi.waitFor(async () => expect(await caseCount()).toBe(BACKLOG), { timeout: 60_000, interval: 50 });
    await owner.stop();
    // New mail after the owner stopped: only the standby can file it.
    for (let n = BACKLOG + 1; n <= BACKLOG + 5; n++) await dovecot.appendMessage(request(n), "INBOX");
    await vi.waitFor(async () => expect(await caseCount()).toBe(BACKLOG + 5), { timeout: 30_000, interval: 50 });
    expect(await standby.locks.holdMailbox("support")).toBe(true);

    await vi.waitFor(async () => expect(await messageIdsIn(dovecot, "INBOX")).toEqual([]), { timeout: 10_000, interval: 100 });
    expect(await messageIdsIn(dovecot, "Processed")).toEqual(expected(BACKLOG + 5));
    const subjects = (await listCases(target!.database.db)).map((c) => c.subject);
    expect(new Set(subjects).size).toBe(BACKLOG + 5);
  });
});
