/**
 * Scenario 1: `kill -9` at random instants during a backlog with attachments. The kill instants are
 * seeded random points of the backlog's progress (a kill may land in start-up, mid-batch or between
 * batches), each followed by a random 0–300 ms; a fresh worker is spawned at once after each kill.
 * The fault ends with the last kill.
 */
import { SUPPORT } from "../../harness/support-address.js";
import { appendStamped } from "../ingest-append.js";
import { committed, size, sleep, spawnWorker, stage, until, type Chaos } from "./env.js";
import { finish, type ScenarioResult } from "./report.js";

export async function killScenario(c: Chaos): Promise<ScenarioResult> {
  const n = size(c, 1_000, 40);
  const kills = c.smoke ? 2 : 20;
  const attachP = 0.1;
  const st = await stage(c, 1);
  const appended = await appendStamped(c.imap, st.folder, SUPPORT, 0, n, { attachP });
  const at = Array.from({ length: kills }, () => Math.floor(c.rnd() * n * 0.95)).sort((a, b) => a - b);
  let worker = spawnWorker(c, st);
  const progressAtKill: number[] = [];
  let stalled = 0;
  for (const threshold of at) {
    // A worker that stops making progress (or dies by itself) is killed anyway: the kill count is the scenario.
    if (!(await until(() => committed(st) >= threshold || !worker.running, 60_000))) stalled++;
    await sleep(c.rnd() * 300);
    progressAtKill.push(committed(st));
    await worker.kill();
    worker = spawnWorker(c, st);
  }
  const faultEndedAt = Date.now();
  const died = st.workers.slice(0, -1).filter((w) => w.errors.some((e) => /uncaught|fatal/i.test(e))).length;
  return finish(c, st, {
    title: `kill -9 ×${kills} during a ${n}-mail backlog (${Math.round(attachP * 100)}% with a 1–5 MB attachment, ${(appended.bytes / 1e6).toFixed(0)} MB)`,
    faultEnd: "the last kill",
    valid: n,
    malformed: 0,
    faultEndedAt,
    notes: [
      `killed with ${progressAtKill.join(", ")} requests committed`,
      ...(stalled ? [`${stalled} kills came after 60 s without reaching their point of the backlog`] : []),
      ...(died ? [`${died} workers logged a fatal error before their kill`] : []),
    ],
  });
}
