/**
 * The one metric registry (prom-client). The imperative shell (the worker's jobs and services) bumps it
 * through `WorkerMetrics`; the pure core never sees it. Database gauges (outbox rows, open cases) are read
 * at scrape time, so they are true even for work done by CLI commands in other processes.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Clock } from "../clock/clock.js";
import * as store from "../store/index.js";

export interface WorkerMetrics {
  registry: Registry;
  /** One drained batch of a mailbox: processed, failed and quarantined messages. */
  drained(mailbox: string, summary: { processed: number; failed: number; quarantined: number; latencySeconds?: number[] }): void;
  /** One delivery round of the outbox; `failedByKind`: its permanent failures by mail kind. */
  delivered(summary: { sent: number; retried: number; failed: number; failedByKind?: Record<string, number> }): void;
  /** How long one scheduler tick took, and the reminders it queued (breach: threshold ≥ 100 %). */
  schedulerTick(seconds: number, reminders?: Array<{ policy: string; breach: boolean }>): void;
  /** An IMAP mailbox opened its session again after losing it. */
  imapReconnected(mailbox: string): void;
}

export function createMetrics(db: store.Db, clock: Clock): WorkerMetrics {
  const registry = new Registry();
  const messages = new Counter({ name: "support_inbox_messages_total", help: "Inbound messages by mailbox and outcome", labelNames: ["mailbox", "outcome"], registers: [registry] });
  const quarantined = new Counter({ name: "support_inbox_quarantined_messages_total", help: "Inbound messages quarantined", labelNames: ["mailbox"], registers: [registry] });
  const sends = new Counter({ name: "support_inbox_outbox_sends_total", help: "Outbox delivery attempts by outcome (sent, retried, failed)", labelNames: ["outcome"], registers: [registry] });
  const failures = new Counter({ name: "support_inbox_outbox_failures_total", help: "Outbox mails that failed permanently, by mail kind", labelNames: ["kind"], registers: [registry] });
  // From seconds (a worker that is keeping up) to hours (a backlog read after an outage).
  const latency = new Histogram({ name: "support_inbox_intake_latency_seconds", help: "From a message's receipt by its mailbox to its commit", labelNames: ["mailbox"], buckets: [1, 5, 15, 60, 300, 900, 3600, 14_400], registers: [registry] });
  const reminders = new Counter({ name: "support_inbox_sla_reminders_total", help: "SLA reminders queued (below 100 % of a target), by policy", labelNames: ["policy"], registers: [registry] });
  const breaches = new Counter({ name: "support_inbox_sla_breaches_total", help: "SLA breach notices queued (100 % of a target or more), by policy", labelNames: ["policy"], registers: [registry] });
  const reconnects = new Counter({ name: "support_inbox_imap_reconnects_total", help: "IMAP sessions opened again after the first, by mailbox", labelNames: ["mailbox"], registers: [registry] });
  const tick = new Histogram({ name: "support_inbox_scheduler_tick_seconds", help: "Scheduler tick duration", buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60], registers: [registry] });
  new Gauge({
    name: "support_inbox_outbox_rows",
    help: "Outbox rows by state",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { state, rows } of await store.outboxRowsByState(db)) this.set({ state }, rows);
    },
  });
  new Gauge({
    name: "support_inbox_outbox_oldest_due_seconds",
    help: "Age of the oldest outbox row that is due and not yet sent (0: none)",
    registers: [registry],
    async collect() {
      const oldest = await store.oldestDueOutbox(db, new Date(clock.now()));
      this.set(oldest === null ? 0 : Math.max(0, (clock.now() - oldest.getTime()) / 1000));
    },
  });
  new Gauge({
    name: "support_inbox_open_cases",
    help: "Open and waiting cases by policy and severity",
    labelNames: ["policy", "severity"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await store.openCasesByPolicySeverity(db)) this.set({ policy: row.policyId, severity: row.severity }, row.cases);
    },
  });
  return {
    registry,
    drained(mailbox, s) {
      if (s.processed > 0) messages.inc({ mailbox, outcome: "processed" }, s.processed);
      if (s.failed > 0) messages.inc({ mailbox, outcome: "failed" }, s.failed);
      if (s.quarantined > 0) {
        messages.inc({ mailbox, outcome: "quarantined" }, s.quarantined);
        quarantined.inc({ mailbox }, s.quarantined);
      }
      for (const seconds of s.latencySeconds ?? []) latency.observe({ mailbox }, seconds);
    },
    delivered(s) {
      for (const outcome of ["sent", "retried", "failed"] as const) if (s[outcome] > 0) sends.inc({ outcome }, s[outcome]);
      for (const [kind, n] of Object.entries(s.failedByKind ?? {})) failures.inc({ kind }, n);
    },
    schedulerTick(seconds, queued = []) {
      tick.observe(seconds);
      for (const { policy, breach } of queued) (breach ? breaches : reminders).inc({ policy });
    },
    imapReconnected: (mailbox) => reconnects.inc({ mailbox }),
  };
}
