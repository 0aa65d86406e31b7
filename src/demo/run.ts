/**
 * The demo's main loop: the real worker (buildWorker(ctx, {once: true}) jobs through runTick) on a
 * ManualClock over a business week. The clock jumps straight to the next thing that can happen (a
 * scripted mail, a case's nextActionAt, an outbox retry, the managers' digest hour), never more than
 * MAX_STEP_MS, so a week takes a few hundred ticks instead of thousands.
 */
import { DateTime } from "luxon";
import type { Logger } from "../log/logger.js";
import type { Db } from "../store/database.js";
import { nextDueAfter } from "../store/repos/demo.js";
import { buildWorker } from "../worker/jobs.js";
import { runTick } from "../worker/run.js";
import type { AppContext } from "../context.js";
import { DEMO_END, DESK, SCRIPT } from "./scenario.js";
import { CaseLabels, deliverStep, isStaffStep, stepAt } from "./script.js";
import { openDemoDesk, type DemoPaths } from "./setup.js";
import { stamp, TimelineReader } from "./timeline.js";

/** Every trigger is enumerated in nextInstant; the cap only keeps the timeline's clock visibly moving. */
const MAX_STEP_MS = 4 * 60 * 60_000;

export interface DemoOptions {
  /** Wiped and recreated: db/, maildir/, outbox/. */
  dir: string;
  /** One line of the timeline at a time. */
  write: (line: string) => void;
  /** Where failing jobs are logged (they are also counted). */
  errorLogger: Logger;
}

export interface DemoRun {
  ctx: AppContext;
  paths: DemoPaths;
  labels: CaseLabels;
  ticks: number;
  failures: number;
  /** Whether buildWorker's jobs include the daily digest. */
  digestWired: boolean;
  endedAt: number;
}

/** Runs the week; the caller reads what it needs from `ctx` and closes it. */
export async function runWeek(opts: DemoOptions): Promise<DemoRun> {
  const { ctx, clock, paths } = await openDemoDesk(opts.dir);
  const worker = buildWorker(ctx, { once: true });
  try {
    const digestWired = worker.jobs.some((j) => j.name.includes("digest"));
    const jobs = worker.jobs;
    if (!digestWired) opts.write("(this worker has no daily digest job: no digest mail will appear)\n");
    const labels = new CaseLabels();
    const timeline = new TimelineReader(ctx.database.db, paths.outbox, ctx.policies);
    const script = [...SCRIPT].sort((a, b) => stepAt(a) - stepAt(b));
    const end = Date.parse(DEMO_END);
    const signal = new AbortController().signal;
    let next = 0;
    let ticks = 0;
    let failures = 0;
    let day = "";
    for (;;) {
      const now = clock.now();
      const today = DateTime.fromMillis(now, { zone: DESK.timeZone }).toFormat("cccc d LLLL yyyy");
      if (today !== day) opts.write(`\n── ${(day = today)} ──`);
      while (next < script.length && stepAt(script[next]!) <= now) {
        const d = await deliverStep(ctx.database.db, paths.maildir, script[next]!, labels);
        const what = isStaffStep(d.step) ? "staff reply" : (d.step as { file: string }).file;
        opts.write(`${stamp(now, DESK.timeZone)}  ✉ in: ${d.from} — ${what}`);
        next += 1;
      }
      failures += await runTick(jobs, signal, opts.errorLogger);
      ticks += 1;
      await labels.resolve(ctx.database.db);
      for (const line of await timeline.read()) opts.write(`${stamp(now, DESK.timeZone)}  ${line}`);
      if (now >= end) break;
      clock.set(await nextInstant(ctx.database.db, now, end, script[next] ? stepAt(script[next]!) : end));
    }
    return { ctx, paths, labels, ticks, failures, digestWired, endedAt: clock.now() };
  } catch (error) {
    await ctx.close();
    throw error;
  } finally {
    await worker.close();
  }
}

/** The earliest instant after `now` at which a tick can have something to do. */
async function nextInstant(db: Db, now: number, end: number, nextScripted: number): Promise<number> {
  const { action, retry } = await nextDueAfter(db, new Date(now));
  const candidates = [nextScripted, end, now + MAX_STEP_MS, nextDigestHour(now), action?.getTime(), retry?.getTime()];
  return Math.min(...candidates.filter((t): t is number => typeof t === "number" && t > now));
}

/** Managers get their digest at 08:00 their time (all demo managers sit in the desk's zone). */
function nextDigestHour(now: number): number {
  const local = DateTime.fromMillis(now, { zone: DESK.timeZone });
  const today = local.set({ hour: 8, minute: 0, second: 0, millisecond: 0 });
  return (today.toMillis() > now ? today : today.plus({ days: 1 })).toMillis();
}
