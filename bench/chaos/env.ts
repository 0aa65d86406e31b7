/**
 * What every chaos scenario runs against: one private Dovecot, one private Postgres cluster and one SMTP
 * sink for the whole run, and per scenario a fresh database, its own IMAP folders and a worker config
 * (bench/ingest-service.ts's, with the SMTP sink and short poll intervals the product's config offers).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ImapFlow } from "imapflow";
import type { DovecotHarness } from "../../harness/dovecot.js";
import type { PostgresCluster } from "../../harness/postgres-cluster.js";
import { SUPPORT } from "../../harness/support-address.js";
import { connect, type ImapTarget } from "../ingest-append.js";
import { prepareDatabase } from "../ingest-database.js";
import { ServiceProcess, writeServiceConfig, type ServiceSetup } from "../ingest-service.js";
import type { SmtpSink } from "./sink.js";

export interface Chaos {
  smoke: boolean;
  main: string;
  /** Temp directory of the run: configs, .eml fallbacks, worker logs. */
  dir: string;
  dovecot: DovecotHarness;
  imap: ImapTarget;
  pg: PostgresCluster;
  sink: SmtpSink;
  rnd: () => number;
  /** --log DIR: every worker's log lines kept there. */
  logDir?: string;
  /** Seconds to keep waiting after the fault ends before counting what is left (the target is 60). */
  waitCapSeconds: number;
  /** --scale F: the full run's volumes × F (mails, not the number of faults). */
  scale: number;
}

/** A volume of the scenario: `smoke` in a smoke run, else the full run's × --scale. */
export function size(c: Chaos, full: number, smoke: number): number {
  return c.smoke ? smoke : Math.max(1, Math.round(full * c.scale));
}

export interface Stage {
  id: number;
  url: string;
  folder: string;
  processed: string;
  quarantine: string;
  setup: ServiceSetup;
  config: string;
  workers: ServiceProcess[];
}

/** A fresh database and folders for scenario `id`, and its worker config. */
export async function stage(c: Chaos, id: number): Promise<Stage> {
  const url = await prepareDatabase(c.pg.url(), `si_chaos_${id}`);
  c.sink.reset();
  const folder = `Chaos${id}`;
  const processed = `${folder}-Processed`;
  const quarantine = `${folder}-Quarantine`;
  for (const f of [folder, processed, quarantine]) await c.dovecot.createFolder(f);
  const dir = join(c.dir, `scenario-${id}`);
  await mkdir(dir, { recursive: true });
  const setup: ServiceSetup = {
    main: c.main,
    dir,
    databaseUrl: url,
    imap: c.imap,
    folder,
    address: SUPPORT,
    policy: "vantiq",
    // pollIntervalSeconds: what the config offers for polling; IDLE stays on, as deployed.
    imapExtra: { processedFolder: processed, quarantineFolder: quarantine, pollIntervalSeconds: 2 },
    configExtra: {
      smtp: { host: "127.0.0.1", port: c.sink.port, secure: false },
      // The outbox polls at the scheduler's pace: rows whose retry backoff ended go out within 2 s.
      scheduler: { tickSeconds: 2 },
      // The cap is against mail loops; the generated senders each open several cases within the hour and
      // every one must be acknowledged for "one acknowledgment per case" to be judged.
      autoReplyCapPerHour: 100_000,
    },
  };
  return { id, url, folder, processed, quarantine, setup, config: writeServiceConfig(setup), workers: [] };
}

/** Spawns one more compiled worker on the stage's config. */
export function spawnWorker(c: Chaos, st: Stage): ServiceProcess {
  const log = c.logDir ? join(c.logDir, `scenario-${st.id}-worker-${st.workers.length + 1}.log`) : undefined;
  const w = new ServiceProcess(st.setup, st.config, log);
  st.workers.push(w);
  return w;
}

/** Waits until a worker has logged "worker started" (or exited); false if it did not within the time. */
export async function started(w: ServiceProcess, ms = 30_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until && w.running && w.workerStartedAt === null) await new Promise((r) => setTimeout(r, 50));
  return w.workerStartedAt !== null;
}

/** Stops every worker of the stage still running (SIGTERM, then SIGKILL past its backstop); how each ended. */
export async function stopWorkers(st: Stage, timeoutMs: number): Promise<string[]> {
  return Promise.all(st.workers.map(async (w) => `${w.running ? "" : "before: "}${(await w.stop(timeoutMs)).exit}`));
}

/** Messages in an IMAP folder right now (STATUS), on a session kept for the scenario. */
export class FolderCounter {
  private client: ImapFlow | null = null;
  constructor(private readonly imap: ImapTarget) {}

  async count(folder: string): Promise<number> {
    if (!this.client?.usable) this.client = await connect(this.imap);
    const s = await this.client.status(folder, { messages: true });
    return s === false ? 0 : (s.messages ?? 0);
  }

  async close(): Promise<void> {
    await this.client?.logout().catch(() => this.client?.close());
    this.client = null;
  }
}

/** Valid requests committed so far by any of the stage's workers (from their outcome log lines). */
export function committed(st: Stage): number {
  const seen = new Set<number>();
  for (const w of st.workers) for (const i of w.commits.keys()) seen.add(i);
  return seen.size;
}

/** Waits until `done()` or `ms` pass; true if done. */
export async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
