/**
 * CPU time of the processes of one bench run, and of nothing else on this shared machine: the Postgres
 * backends serving the bench database's connections (other databases' backends, and Postgres's own
 * shared background processes, are left out) and the private Dovecot's process tree (its master and
 * every imap/login/auth process it forked). Processes come and go during a run (a connection closes,
 * an IMAP session ends), so each one is sampled while it lives and its last sample is kept once it has
 * exited: a figure can only grow, never go negative because something else on the machine exited.
 */
import { readdirSync, readFileSync } from "node:fs";
import postgres from "postgres";
import { cpuSecondsOf, descendants } from "./ingest-service.js";

/** application_name of the bench's own connections to the bench database, which are not the run's. */
export const BENCH_APPLICATION = "si-bench";

/** CPU seconds of a changing set of processes, counted from when each was first seen or from `start`. */
export class ProcessSetCpu {
  /** CPU seconds at the baseline of processes that already existed then (they count only what they use after it). */
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly list: () => Promise<number[]> | number[],
    everyMs = 200,
  ) {
    this.timer = setInterval(() => void this.sample(), everyMs);
  }

  /** Takes a sample now; the processes seen at the first call are the baseline. */
  sample(): Promise<void> {
    this.sampling = this.sampling.then(async () => {
      let pids: number[];
      try {
        pids = await this.list();
      } catch {
        return; // the lister's source (the database) is briefly unreachable: the next sample catches up
      }
      for (const pid of pids) {
        const cpu = cpuSecondsOf(pid);
        if (cpu !== null) this.last.set(pid, cpu);
      }
    });
    return this.sampling;
  }

  /** Everything seen so far becomes the zero point (call it once, just before the measured span starts). */
  async baseline(): Promise<void> {
    await this.sample();
    this.base.clear();
    for (const [pid, cpu] of this.last) this.base.set(pid, cpu);
  }

  /** CPU seconds used since the baseline, sampling the living processes now. */
  async seconds(): Promise<number> {
    await this.sample();
    let total = 0;
    for (const [pid, cpu] of this.last) total += cpu - (this.base.get(pid) ?? 0);
    return total;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The backend pids of the client connections to `database`, except the bench's own. */
export function postgresBackends(adminUrl: string, database: string): { list: () => Promise<number[]>; close: () => Promise<void> } {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, connection: { application_name: BENCH_APPLICATION } });
  return {
    list: async () =>
      (
        await sql<{ pid: number }[]>`select pid from pg_stat_activity
          where datname = ${database} and backend_type = 'client backend' and application_name <> ${BENCH_APPLICATION}`
      ).map((r) => r.pid),
    close: () => sql.end(),
  };
}

/** The private Dovecot started with `conf` (its master found by the config path on its command line) and its children. */
export function dovecotTree(conf: string): () => number[] {
  let master: number | null = null;
  return () => {
    master ??= findProcess((cmdline) => cmdline.includes(conf));
    return master === null ? [] : [master, ...descendants(master)];
  };
}

function findProcess(match: (cmdline: string) => boolean): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (match(readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " "))) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return null;
}
