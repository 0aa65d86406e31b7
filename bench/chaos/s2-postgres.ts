/**
 * Scenario 2: the private Postgres cluster stopped and started three times under the running worker:
 * `pg_ctl -m fast` a third into a backlog, `-m immediate` two thirds in, and `-m fast` once the worker
 * is idle, after which new requests arrive (the reproduction: none was processed within 80 s).
 * The fault ends when the cluster is back the third time.
 */
import { SUPPORT } from "../../harness/support-address.js";
import type { StopMode } from "../../harness/postgres-cluster.js";
import { appendStamped } from "../ingest-append.js";
import { committed, size, sleep, spawnWorker, stage, started, until, type Chaos } from "./env.js";
import { finish, type ScenarioResult } from "./report.js";

export async function postgresScenario(c: Chaos): Promise<ScenarioResult> {
  // Well over one batch (ingest.batchMessages, 100), so a stop can land between commits of the backlog.
  const n = size(c, 1_000, 30);
  const live = size(c, 20, 10);
  const downMs = c.smoke ? 1_000 : 10_000;
  const st = await stage(c, 2);
  await appendStamped(c.imap, st.folder, SUPPORT, 0, n);
  const w = spawnWorker(c, st);
  await started(w);
  const notes: string[] = [];
  const outage = async (mode: StopMode, label: string) => {
    const before = committed(st);
    const t0 = Date.now();
    await c.pg.stop(mode);
    await sleep(downMs);
    await c.pg.start();
    notes.push(`${label}: pg_ctl -m ${mode} with ${before}/${n} committed, back after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  const reach = async (k: number, label: string) => {
    if (!(await until(() => committed(st) >= k || !w.running, 60_000))) notes.push(`${label}: ${k} requests not committed within 60 s; stopped anyway`);
  };
  try {
    await reach(Math.ceil(n / 3), "outage 1");
    await outage("fast", "mid-backlog");
    await reach(Math.ceil((2 * n) / 3), "outage 2");
    await outage("immediate", "mid-backlog");
    await reach(n, "outage 3");
    await sleep(c.smoke ? 1_000 : 5_000); // idle on IDLE, the outbox drained
    await outage("fast", "idle");
  } finally {
    if (!(await c.pg.running())) await c.pg.start();
  }
  const faultEndedAt = Date.now();
  await appendStamped(c.imap, st.folder, SUPPORT, n, n + live);
  notes.push(`${live} requests appended after the last restart`);
  return finish(c, st, { title: `Postgres stopped and started 3× (fast, immediate mid-backlog; fast idle), ${n}-mail backlog + ${live} after`, faultEnd: "Postgres was back the third time", valid: n + live, malformed: 0, faultEndedAt, notes });
}

