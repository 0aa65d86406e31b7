/**
 * The worker's HTTP listener over a real socket and a real database: /healthz, /readyz turning 503 when
 * the database is marked down or the outbox is stuck, and /metrics whose series move with the work.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { healthRoutes } from "../../src/http/health.js";
import { createMetrics, type WorkerMetrics } from "../../src/http/metrics.js";
import { listen, type HttpListener } from "../../src/http/server.js";
import { enqueueMany } from "../../src/outbox/queue.js";
import type { Db } from "../../src/store/database.js";
import { testDatabases } from "../support/db.js";
import { queuedAck } from "../support/outbox.js";

describe.each(testDatabases())("health and metrics on %s", (target) => {
  let db: Db;
  let listener: HttpListener;
  let metrics: WorkerMetrics;
  const clock = new ManualClock("2026-11-20T16:00:00Z");
  const database = { up: true };
  const get = async (path: string) => {
    const response = await fetch(`http://${listener.address}${path}`);
    return { status: response.status, body: await response.text() };
  };

  beforeAll(async () => {
    db = await target.open();
    metrics = createMetrics(db, clock);
    listener = await listen("127.0.0.1:0", healthRoutes({ db, clock, database, outboxStuckSeconds: 600, metrics }), () => {});
  });
  afterAll(async () => {
    await listener.close();
    await target.close();
  });

  it("answers /healthz and /readyz while all is well", async () => {
    expect(await get("/healthz")).toEqual({ status: 200, body: "ok\n" });
    expect(await get("/readyz")).toEqual({ status: 200, body: "ready\n" });
    expect((await get("/nowhere")).status).toBe(404);
  });

  it("/readyz fails while the worker has the database down", async () => {
    database.up = false;
    const down = await get("/readyz");
    database.up = true;
    expect(down.status).toBe(503);
    expect(down.body).toContain("the database is unavailable");
  });

  it("/readyz fails once the oldest due outbox mail waited past the limit; the outbox gauges show it", async () => {
    await enqueueMany(db, [queuedAck(1)], clock.now());
    clock.advance(601_000);
    const stuck = await get("/readyz");
    expect(stuck.status).toBe(503);
    expect(stuck.body).toContain("the outbox is stuck: its oldest due mail has waited 601 s");
    const scrape = (await get("/metrics")).body;
    expect(scrape).toContain('support_inbox_outbox_rows{state="queued"} 1');
    expect(scrape).toContain("support_inbox_outbox_oldest_due_seconds 601");
  });

  it("counts messages, quarantines, sends and scheduler ticks as the shell reports them", async () => {
    metrics.drained("support", { processed: 3, failed: 1, quarantined: 2 });
    metrics.delivered({ sent: 4, retried: 1, failed: 0 });
    metrics.schedulerTick(0.02);
    const scrape = (await get("/metrics")).body;
    expect(scrape).toContain('support_inbox_messages_total{mailbox="support",outcome="processed"} 3');
    expect(scrape).toContain('support_inbox_messages_total{mailbox="support",outcome="failed"} 1');
    expect(scrape).toContain('support_inbox_quarantined_messages_total{mailbox="support"} 2');
    expect(scrape).toContain('support_inbox_outbox_sends_total{outcome="sent"} 4');
    expect(scrape).toContain('support_inbox_outbox_sends_total{outcome="retried"} 1');
    expect(scrape).toContain("support_inbox_scheduler_tick_seconds_count 1");
  });

  it("counts intake latency, SLA reminders and breaches by policy, failures by kind and IMAP reconnects", async () => {
    metrics.drained("support", { processed: 2, failed: 0, quarantined: 0, latencySeconds: [3, 4000] });
    metrics.delivered({ sent: 0, retried: 0, failed: 2, failedByKind: { acknowledgment: 1, reminder: 1 } });
    metrics.schedulerTick(0.01, [{ policy: "vantiq", breach: false }, { policy: "vantiq", breach: false }, { policy: "vantiq", breach: true }]);
    metrics.imapReconnected("imap-desk");
    const scrape = (await get("/metrics")).body;
    expect(scrape).toContain('support_inbox_intake_latency_seconds_count{mailbox="support"} 2');
    expect(scrape).toContain('support_inbox_intake_latency_seconds_bucket{le="5",mailbox="support"} 1');
    expect(scrape).toContain('support_inbox_outbox_failures_total{kind="acknowledgment"} 1');
    expect(scrape).toContain('support_inbox_outbox_failures_total{kind="reminder"} 1');
    expect(scrape).toContain('support_inbox_sla_reminders_total{policy="vantiq"} 2');
    expect(scrape).toContain('support_inbox_sla_breaches_total{policy="vantiq"} 1');
    expect(scrape).toContain('support_inbox_imap_reconnects_total{mailbox="imap-desk"} 1');
  });
});
