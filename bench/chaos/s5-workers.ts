/**
 * Scenario 5: three workers started together on one mailbox with a backlog waiting, then live requests
 * while all three run. The "fault" is the second and third worker; it ends with the last live request.
 */
import { SUPPORT } from "../../harness/support-address.js";
import { appendStamped } from "../ingest-append.js";
import { size, spawnWorker, stage, started, type Chaos } from "./env.js";
import { finish, type ScenarioResult } from "./report.js";

export async function workersScenario(c: Chaos): Promise<ScenarioResult> {
  const n = size(c, 600, 30);
  const live = size(c, 200, 10);
  const st = await stage(c, 5);
  await appendStamped(c.imap, st.folder, SUPPORT, 0, n);
  const workers = [spawnWorker(c, st), spawnWorker(c, st), spawnWorker(c, st)];
  const up = await Promise.all(workers.map((w) => started(w)));
  await appendStamped(c.imap, st.folder, SUPPORT, n, n + live, { rate: c.smoke ? 20 : 50 });
  const faultEndedAt = Date.now();
  const r = await finish(c, st, {
    title: `3 workers on one mailbox: ${n}-mail backlog, then ${live} live requests`,
    faultEnd: "the last live request was appended",
    valid: n + live,
    malformed: 0,
    faultEndedAt,
    notes: [],
  });
  // Who applied what (outcomes other than "duplicate"), counted once the desk settled.
  const applied = workers.map((w) => [...w.commits.values()].filter((l) => l.some((x) => x.outcome !== "duplicate")).length);
  r.notes.push(`${up.filter(Boolean).length} of 3 workers started; requests applied per worker: ${applied.join(" / ")}`);
  return r;
}
