/**
 * The wiring `support-inbox start` runs (buildWorker + runWorker): the outbox is a service the inbound
 * loop wakes after each committed batch. The scheduler tick and the outbox's poll are set to an hour,
 * so an acknowledgment that reaches the SMTP server within the test went out because of that wake.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { createContext, type AppContext } from "../../src/context.js";
import { silentLogger } from "../../src/log/logger.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { buildWorker } from "../../src/worker/jobs.js";
import { runWorker } from "../../src/worker/run.js";
import { testDatabases } from "../support/db.js";
import { seedAcme } from "../support/desk.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";

const HOUR_S = 3600;
const fixture = () => readFile(join(import.meta.dirname, "..", "fixtures", "mail", "template-full-vantiq.eml"), "utf8");

describe.each(testDatabases())("start's outbox service on %s", (target) => {
  let smtp: TestSmtpServer;
  let ctx: AppContext;
  let maildir: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const dir = await mkdtemp(join(tmpdir(), "si-start-outbox-"));
    maildir = join(dir, "maildir");
    if (target.name === "postgres") await target.open();
    const config = configSchema.parse({
      database: target.name === "postgres" ? { url: target.options.url } : { dataDir: "memory://" },
      mailboxes: [{ name: "support", kind: "maildir", address: "support@vendor.example", policy: "vantiq", maildir: { path: maildir } }],
      smtp: { host: smtp.host, port: smtp.port, secure: false, pool: false },
      supportDomain: "support.vendor.example",
      ingest: { parseThreads: 0 },
      scheduler: { tickSeconds: HOUR_S },
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

  it("runs the outbox as a job only with --once", async () => {
    const once = buildWorker(ctx, { once: true });
    const running = buildWorker(ctx, { once: false });
    try {
      expect(once.jobs.map((j) => j.name)).toEqual(["inbound:support", "scheduler", "digest", "retention", "lifecycle-notices", "outbox"]);
      expect(once.services).toEqual([]);
      expect(running.jobs.map((j) => j.name)).toEqual(["scheduler", "digest", "retention", "lifecycle-notices"]);
      expect(running.services.map((s) => s.name)).toEqual(["inbound:support", "outbox"]);
    } finally {
      await Promise.all([once.close(), running.close()]);
    }
  });

  it("acknowledges each request as its batch commits, long before the next tick or poll", { timeout: 90_000 }, async () => {
    const wiring = buildWorker(ctx, { once: false });
    const controller = new AbortController();
    const running = runWorker({
      clock: ctx.clock,
      logger: silentLogger(),
      signal: controller.signal,
      jobs: wiring.jobs,
      services: wiring.services,
      tickMs: HOUR_S * 1000,
    });
    const acks = () => smtp.received.filter((m) => m.parsed.subject?.startsWith("Re: [Case #")).map((m) => m.parsed.subject);
    try {
      const request = await fixture();
      await deliverToMaildir(maildir, request);
      await vi.waitFor(() => expect(acks()).toHaveLength(1), { timeout: 30_000, interval: 50 });
      // The outbox has delivered and is waiting now: this one can only go out on the inbound loop's wake.
      const second = request
        .replace("CAF9x2k1-full-template-001@mail.customer.example", "second-request@mail.customer.example")
        .replace("Subject: Event stream stops processing after namespace redeploy", "Subject: Connector drops events");
      await deliverToMaildir(maildir, second);
      await vi.waitFor(() => expect(acks()).toHaveLength(2), { timeout: 30_000, interval: 50 });
      expect(acks()).toEqual(["Re: [Case #1] Event stream stops processing after namespace redeploy", "Re: [Case #2] Connector drops events"]);
    } finally {
      controller.abort();
      await running;
      await wiring.close();
    }
  });
});
