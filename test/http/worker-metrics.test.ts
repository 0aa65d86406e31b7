/**
 * A real worker (buildWorker + runWorker, what `start` runs) with its HTTP listener, scraped over HTTP as
 * Prometheus would: after a request lands in the Maildir and is acknowledged, the message, intake latency,
 * outbox send and scheduler tick series have moved; /readyz lists the mailbox as read. A second worker
 * whose IMAP mailbox points at a closed port never reads it, and /readyz fails naming it.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort } from "../../harness/free-port.js";
import { configSchema } from "../../src/config/schema.js";
import { createContext, type AppContext } from "../../src/context.js";
import { healthRoutes } from "../../src/http/health.js";
import { createMetrics } from "../../src/http/metrics.js";
import { listen, type HttpListener } from "../../src/http/server.js";
import { silentLogger } from "../../src/log/logger.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { buildWorker } from "../../src/worker/jobs.js";
import { runWorker } from "../../src/worker/run.js";
import { testDatabases } from "../support/db.js";
import { seedAcme } from "../support/desk.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";

const fixture = () => readFile(join(import.meta.dirname, "..", "fixtures", "mail", "template-full-vantiq.eml"), "utf8");

/** Runs a worker on `ctx` with its listener on a free port until `body` ends. */
async function withWorker(ctx: AppContext, body: (get: (path: string) => Promise<{ status: number; body: string }>) => Promise<void>) {
  const metrics = createMetrics(ctx.database.db, ctx.clock);
  const wiring = buildWorker(ctx, { once: false, metrics });
  const routes = healthRoutes({ db: ctx.database.db, clock: ctx.clock, database: wiring.database, mailboxes: wiring.mailboxes, outboxStuckSeconds: 900, metrics });
  const listener: HttpListener = await listen("127.0.0.1:0", routes, () => {});
  const controller = new AbortController();
  const running = runWorker({ clock: ctx.clock, logger: silentLogger(), signal: controller.signal, jobs: wiring.jobs, services: wiring.services, tickMs: ctx.config.scheduler.tickSeconds * 1000 });
  try {
    await body(async (path) => {
      const response = await fetch(`http://${listener.address}${path}`);
      return { status: response.status, body: await response.text() };
    });
  } finally {
    controller.abort();
    await running;
    await listener.close();
    await wiring.close();
  }
}

describe.each(testDatabases())("a running worker's /metrics and /readyz on %s", (target) => {
  let smtp: TestSmtpServer;
  let ctx: AppContext;
  let maildir: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    maildir = join(await mkdtemp(join(tmpdir(), "si-worker-metrics-")), "maildir");
    if (target.name === "postgres") await target.open();
    const config = configSchema.parse({
      database: target.name === "postgres" ? { url: target.options.url } : { dataDir: "memory://" },
      mailboxes: [{ name: "support", kind: "maildir", address: "support@vendor.example", policy: "vantiq", maildir: { path: maildir } }],
      smtp: { host: smtp.host, port: smtp.port, secure: false, pool: false },
      supportDomain: "support.vendor.example",
      ingest: { parseThreads: 0 },
      scheduler: { tickSeconds: 1 },
      log: { level: "silent" },
    });
    ctx = await createContext(config, { logger: silentLogger(), migrate: true });
    await seedAcme(ctx.database.db);
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
    await smtp?.stop();
    await target.close();
  });

  it("moves the message, latency, send and tick series as mail flows, and is ready with its mailbox read", { timeout: 90_000 }, async () => {
    await withWorker(ctx, async (get) => {
      await deliverToMaildir(maildir, await fixture());
      await vi.waitFor(() => expect(smtp.received.some((m) => m.parsed.subject?.startsWith("Re: [Case #"))).toBe(true), { timeout: 30_000, interval: 50 });
      // The counters are bumped when the drain and the delivery round return, just after what they counted.
      await vi.waitFor(async () => {
        const scrape = (await get("/metrics")).body;
        expect(scrape).toContain('support_inbox_messages_total{mailbox="support",outcome="processed"} 1');
        expect(scrape).toContain('support_inbox_intake_latency_seconds_count{mailbox="support"} 1');
        expect(scrape).toMatch(/^support_inbox_outbox_sends_total\{outcome="sent"\} [1-9]/m);
        expect(scrape).toMatch(/^support_inbox_scheduler_tick_seconds_count [1-9]/m);
        expect(scrape).toMatch(/^support_inbox_open_cases\{policy="vantiq",severity="\w+"\} 1$/m);
      }, { timeout: 30_000, interval: 100 });
      const ready = await get("/readyz");
      expect(ready.status).toBe(200);
      expect(ready.body).toMatch(/^ready\nmailbox support: read \d+ s ago \(limit 120 s\)\n$/);
    });
  });

  it("fails /readyz, naming the mailbox, while an IMAP mailbox at a closed port has not been read within its interval", { timeout: 60_000 }, async () => {
    // Nothing listens on a port just found free: every connection attempt is refused, and retried with backoff.
    const imap = { host: "127.0.0.1", port: await freePort(), tls: false, user: "help", password: "x", pollIntervalSeconds: 1 };
    const { mailboxes } = configSchema.parse({ mailboxes: [{ name: "unreachable", kind: "imap", address: "help@vendor.example", policy: "vantiq", imap }] });
    await withWorker({ ...ctx, config: { ...ctx.config, mailboxes } }, async (get) => {
      await vi.waitFor(async () => expect((await get("/readyz")).status).toBe(503), { timeout: 30_000, interval: 200 });
      const late = await get("/readyz");
      expect(late.body).toContain("not ready: not read within its interval: unreachable");
      expect(late.body).toMatch(/mailbox unreachable: late: last read or started \d+ s ago \(limit 2 s\)/);
    });
  });
});
