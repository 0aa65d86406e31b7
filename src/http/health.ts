/**
 * /healthz (the process answers), /readyz (database reachable and not marked down by the worker's
 * DatabaseWatch, every mailbox this worker owns read within its interval, outbox not stuck: its oldest due
 * row younger than http.outboxStuckSeconds) and /metrics. The /readyz body lists each mailbox.
 */
import type { Clock } from "../clock/clock.js";
import * as store from "../store/index.js";
import type { MailboxReport } from "../worker/mailbox-watch.js";
import type { WorkerMetrics } from "./metrics.js";
import { text, type Route } from "./server.js";

export interface HealthDeps {
  db: store.Db;
  clock: Clock;
  /** The worker's view of its database (worker/database-watch.ts). */
  database: { readonly up: boolean };
  outboxStuckSeconds: number;
  /** Each mailbox's last successful read (worker/mailbox-watch.ts); absent: none to report. */
  mailboxes?: { report(): MailboxReport[] };
  metrics: WorkerMetrics;
}

export function healthRoutes(deps: HealthDeps): Map<string, Route> {
  return new Map<string, Route>([
    ["/healthz", async () => text(200, "ok")],
    ["/readyz", async () => readiness(deps)],
    [
      "/metrics",
      async () => ({ status: 200, contentType: deps.metrics.registry.contentType, body: await deps.metrics.registry.metrics() }),
    ],
  ]);
}

async function readiness(deps: HealthDeps): Promise<ReturnType<typeof text>> {
  const reports = deps.mailboxes?.report() ?? [];
  const lines = reports.map(describe).join("");
  const reply = (status: number, body: string) => text(status, body + "\n" + lines);
  const late = reports.filter((r) => r.state === "late");
  if (!deps.database.up) return reply(503, "not ready: the database is unavailable (the worker is retrying)");
  let oldest: Date | null;
  try {
    await store.ping(deps.db);
    oldest = await store.oldestDueOutbox(deps.db, new Date(deps.clock.now()));
  } catch (error) {
    return reply(503, `not ready: the database does not answer: ${(error as Error).message}`);
  }
  const ageSeconds = oldest === null ? 0 : (deps.clock.now() - oldest.getTime()) / 1000;
  if (ageSeconds > deps.outboxStuckSeconds) {
    return reply(503, `not ready: the outbox is stuck: its oldest due mail has waited ${Math.round(ageSeconds)} s (limit http.outboxStuckSeconds = ${deps.outboxStuckSeconds})`);
  }
  if (late.length > 0) return reply(503, `not ready: not read within its interval: ${late.map((r) => r.name).join(", ")}`);
  return reply(200, "ready");
}

function describe(r: MailboxReport): string {
  const since = r.sinceSeconds === null ? "" : ` ${Math.round(r.sinceSeconds)} s ago`;
  if (r.state === "standby") return `mailbox ${r.name}: standby (not read by this worker)\n`;
  return `mailbox ${r.name}: ${r.state === "ok" ? "read" : "late: last read or started"}${since} (limit ${r.limitSeconds} s)\n`;
}
