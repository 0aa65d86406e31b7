/**
 * Scenario 5: three workers started together on one mailbox with a backlog waiting, then live requests
 * while all three run. The "fault" is the second and third worker; it ends with the last live request.
 */
import { SUPPORT } from "../../harness/support-address.js";
import { appendStamped } from "../ingest-append.js";
import { spawnWorker, stage, started, type Chaos } from "./env.js";
import { finish, type ScenarioResult } from "./report.js";

export async function workersScenario(c: Chaos): Promise<ScenarioResult> {
  const n = c.smoke ? 30 : 600;
  const live = c.smoke ? 10 : 200;
  const st = await stage(c, 5);
  await appendStamped(c.imap, st.folder, SUPPORT, 0, n);
  const workers = [spawnWorker(c, st), spawnWorker(c, st), spawnWorker(c, st)];
  const up = await Promise.all(workers.map((w) => started(w)));
  await appendStamped(c.imap, st.folder, SUPPORT, n, n + live, { rate: c.smoke ? 20 : 50 });
  const faultEndedAt = Date.now();
  const share = workers.map((w) => w.committedIn(0, n + live)).join(" / ");
  return finish(c, st, {
    title: `3 workers on one mailbox: ${n}-mail backlog, then ${live} live requests`,
    faultEnd: "the last live request was appended",
    valid: n + live,
    malformed: 0,
    faultEndedAt,
    notes: [`${up.filter(Boolean).length} of 3 workers started; outcome lines per worker: ${share}`],
  });
}
