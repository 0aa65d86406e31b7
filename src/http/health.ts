/**
 * /healthz (the process answers), /readyz (database reachable and not marked down by the worker's
 * DatabaseWatch, outbox not stuck: its oldest due row younger than http.outboxStuckSeconds) and /metrics.
 */
import type { Clock } from "../clock/clock.js";
import * as store from "../store/index.js";
import type { WorkerMetrics } from "./metrics.js";
import { text, type Route } from "./server.js";

export interface HealthDeps {
  db: store.Db;
  clock: Clock;
  /** The worker's view of its database (worker/database-watch.ts). */
  database: { readonly up: boolean };
  outboxStuckSeconds: number;
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
  if (!deps.database.up) return text(503, "not ready: the database is unavailable (the worker is retrying)");
  let oldest: Date | null;
  try {
    await store.ping(deps.db);
    oldest = await store.oldestDueOutbox(deps.db, new Date(deps.clock.now()));
  } catch (error) {
    return text(503, `not ready: the database does not answer: ${(error as Error).message}`);
  }
  const ageSeconds = oldest === null ? 0 : (deps.clock.now() - oldest.getTime()) / 1000;
  if (ageSeconds > deps.outboxStuckSeconds) {
    return text(503, `not ready: the outbox is stuck: its oldest due mail has waited ${Math.round(ageSeconds)} s (limit http.outboxStuckSeconds = ${deps.outboxStuckSeconds})`);
  }
  return text(200, "ready");
}
