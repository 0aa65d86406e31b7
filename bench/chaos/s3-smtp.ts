/**
 * Scenario 3: the SMTP server refusing connections, then answering 451 to every MAIL FROM, then
 * accepting again, while requests arrive and are acknowledged. The fault ends when the sink accepts.
 */
import { SUPPORT } from "../../harness/support-address.js";
import { appendStamped } from "../ingest-append.js";
import { size, sleep, spawnWorker, stage, started, type Chaos } from "./env.js";
import { finish, type ScenarioResult } from "./report.js";

export async function smtpScenario(c: Chaos): Promise<ScenarioResult> {
  const n = size(c, 200, 10);
  const phaseMs = c.smoke ? 3_000 : 20_000;
  const st = await stage(c, 3);
  let faultEndedAt: number;
  let tempFailed: number;
  try {
    await c.sink.setMode("refuse");
    const w = spawnWorker(c, st);
    await started(w);
    await appendStamped(c.imap, st.folder, SUPPORT, 0, n, { rate: (2 * n * 1000) / phaseMs });
    await sleep(phaseMs / 2);
    const before = c.sink.tempFailed;
    await c.sink.setMode("451");
    await sleep(phaseMs);
    tempFailed = c.sink.tempFailed - before;
  } finally {
    await c.sink.setMode("accept");
    faultEndedAt = Date.now();
  }
  return finish(c, st, {
    title: `SMTP refusing connections ${phaseMs / 1000} s, then 451 for ${phaseMs / 1000} s, then accepting; ${n} requests`,
    faultEnd: "the sink accepted again",
    valid: n,
    malformed: 0,
    faultEndedAt,
    notes: [`${tempFailed} MAIL FROM answered 451 during the 451 phase`],
  });
}
