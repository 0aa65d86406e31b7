/**
 * The end of every scenario: wait for the desk to settle after the fault (every valid request has its
 * case, every case's acknowledgment reached the sink, the folder is empty), count, judge, print.
 */
import { acksDone, countFigures, readDb, requestsDone, type Figures } from "./figures.js";
import { FolderCounter, sleep, stopWorkers, type Chaos, type Stage } from "./env.js";

/** Seconds the issue allows from the end of a fault until every valid request is processed. */
export const TARGET_SECONDS = 60;

export interface Settled {
  /** Seconds after the fault ended when every valid request had its case (null: not within the wait). */
  requestsAt: number | null;
  /** … when every case's acknowledgment had been delivered to the sink. */
  acksAt: number | null;
  /** … when the source folder was empty. */
  folderAt: number | null;
  workersAlive: number;
  workersTotal: number;
}

export interface ScenarioResult {
  id: number;
  title: string;
  /** What "the fault ended" means in this scenario, for the settle line. */
  faultEnd: string;
  figures: Figures;
  settled: Settled;
  exits: string[];
  notes: string[];
}

/** Polls until settled, the wait cap passes, or no worker is left to make progress. */
export async function settle(c: Chaos, st: Stage, valid: number, faultEndedAt: number): Promise<Settled> {
  const folders = new FolderCounter(c.imap);
  const s: Settled = { requestsAt: null, acksAt: null, folderAt: null, workersAlive: 0, workersTotal: st.workers.length };
  const since = () => (Date.now() - faultEndedAt) / 1000;
  try {
    for (;;) {
      const alive = st.workers.some((w) => w.running);
      const db = await readDb(st.url);
      const left = await folders.count(st.folder).catch(() => null);
      if (db && s.requestsAt === null && requestsDone(db, valid)) s.requestsAt = since();
      if (db && s.requestsAt !== null && s.acksAt === null && acksDone(c, db)) s.acksAt = since();
      if (left === 0 && s.folderAt === null) s.folderAt = since();
      if (s.requestsAt !== null && s.acksAt !== null && s.folderAt !== null) break;
      if (!alive || since() > c.waitCapSeconds) break;
      await sleep(500);
    }
  } finally {
    await folders.close();
  }
  s.workersAlive = st.workers.filter((w) => w.running).length;
  return s;
}

/** Settle, count, stop the workers: the scenario's result. */
export async function finish(c: Chaos, st: Stage, r: { title: string; faultEnd: string; valid: number; malformed: number; faultEndedAt: number; notes?: string[] }): Promise<ScenarioResult> {
  const settled = await settle(c, st, r.valid, r.faultEndedAt);
  // A worker that died by itself (not one of scenario 1's kills) says why on stderr.
  const crashes = st.workers.flatMap((w, k) => (!w.running && w.crashLine() ? [`worker ${k + 1} died: ${w.crashLine()!.slice(0, 200)}`] : []));
  // The worker's own backstop is 30 s; a smoke run does not wait that long for a hung one.
  // Past the pool's 5 s close timeout (a connection left by a Postgres restart can use it all), even in smoke.
  const exits = await stopWorkers(st, c.smoke ? 10_000 : 35_000);
  const figures = await countFigures(c, st, r.valid, r.malformed);
  return { id: st.id, title: r.title, faultEnd: r.faultEnd, figures, settled, exits, notes: [...(r.notes ?? []), ...crashes] };
}

export interface Verdict {
  target: string;
  ok: boolean | null;
}

export function judge(r: ScenarioResult): Verdict[] {
  const f = r.figures;
  const s = r.settled;
  const within = (t: number | null) => t !== null && t <= TARGET_SECONDS;
  return [
    { target: "0 lost", ok: f.lost + f.lostMalformed === 0 },
    { target: "0 duplicate cases", ok: f.duplicateCases === 0 },
    { target: "one ack queued per case", ok: f.acksPerCase.none === 0 && f.acksPerCase.more === 0 },
    { target: `valid processed ≤ ${TARGET_SECONDS} s after the fault`, ok: within(s.requestsAt) && within(s.acksAt) },
    { target: "malformed handled or quarantined with a reason", ok: f.malformed === 0 ? null : f.lostMalformed === 0 && s.folderAt !== null && f.quarantined.malformed + f.quarantined.valid <= f.quarantined.withReason },
    { target: "worker still running", ok: s.workersAlive > 0 },
    { target: "each message once in Processed", ok: f.filedTwice === 0 },
  ];
}

/** "code 0, 20× already exited": the same exit once, with its count. */
function summarize(exits: string[]): string {
  const counts = new Map<string, number>();
  for (const e of exits) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].map(([e, n]) => (n > 1 ? `${n}× ${e}` : e)).join(", ");
}

const secs = (t: number | null) => (t === null ? "not within the wait" : `${t.toFixed(1)} s`);

export function printResult(r: ScenarioResult, judged: boolean): void {
  const f = r.figures;
  const s = r.settled;
  const lines = [
    `scenario ${r.id}: ${r.title}`,
    `  in:          ${f.valid} valid requests (${f.validDone} with their case), ${f.malformed} malformed mails`,
    `  cases:       ${f.cases} (duplicate cases: ${f.duplicateCases})`,
    `  acks queued: ${f.acksPerCase.one} cases with one, ${f.acksPerCase.none} with none, ${f.acksPerCase.more} with more than one`,
    `  delivered:   ${f.deliveredPerAck.one} acks once, ${f.deliveredPerAck.more} more than once, ${f.deliveredPerAck.none} not (yet)`,
    `  lost:        ${f.lost} valid, ${f.lostMalformed} malformed`,
    `  quarantined: ${f.quarantined.valid} valid, ${f.quarantined.malformed} malformed (${f.quarantined.withReason} quarantine records with a reason)` +
      (f.malformed ? `; ${f.processedMalformed} malformed handled (in Processed)` : ""),
    `  waiting:     ${f.waiting.inFolder} still in the folder, ${f.waiting.outbox} outbox rows queued/sending; ${f.filedTwice} messages filed more than once`,
    `  settled:     cases ${secs(s.requestsAt)}, acks delivered ${secs(s.acksAt)}, folder empty ${secs(s.folderAt)} after ${r.faultEnd}`,
    `  workers:     ${s.workersAlive} of ${s.workersTotal} running at the end; on SIGTERM: ${summarize(r.exits)}`,
    ...r.notes.map((n) => `  note:        ${n}`),
  ];
  if (judged) lines.push(`  targets:     ${judge(r).map((v) => `${v.ok === null ? "n/a " : v.ok ? "PASS" : "MISS"} ${v.target}`).join("\n               ")}`);
  console.log(lines.join("\n"));
}
