/**
 * SLA benchmark (`npm run bench:sla`): the calendar figures from bench/sla-calendar.ts (business-time
 * additions per second, and moment-business-time on the same inputs), then whole-case evaluations per
 * second: random realistic timelines over the bundled policies that set targets, evaluated at a random
 * later `now`, with the calendars cached as the scheduler would have them.
 *
 *   npx tsx bench/sla.ts [--smoke] [--n N] [--cases N]
 * Prints figures only; targets (issue 3): ≥ 1,000,000 additions/s, ≥ 20× moment, ≥ 200,000 evaluations/s.
 */
import { performance } from "node:perf_hooks";
import { loadBundledPolicies } from "../src/policy/load.js";
import type { Policy } from "../src/policy/types.js";
import { calendarsForPolicy } from "../src/sla/calendars.js";
import { evaluateCase } from "../src/sla/engine.js";
import { prng } from "../harness/prng.js";
import { sampleTimeline } from "../harness/sla/sample-timelines.js";
import type { SlaContext, TimelineEvent } from "../src/sla/types.js";
import { runCalendarBench } from "./sla-calendar.js";

interface BenchCase {
  policy: Policy;
  timeline: TimelineEvent[];
  context: SlaContext;
  now: number;
}

const ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London"];

function makeCases(n: number, seed: number): BenchCase[] {
  const rnd = prng(seed);
  const policies = [...loadBundledPolicies().values()].filter((p) => p.serviceLevels.some((l) => Object.keys(l.targets).length > 0));
  const cases: BenchCase[] = [];
  for (let i = 0; i < n; i++) {
    const policy = policies[i % policies.length]!;
    const { timeline, lastAt } = sampleTimeline(policy, rnd);
    const entitlements = policy.entitlements.filter(() => rnd() < 0.5).map((e) => e.id);
    const customerZone = policy.calendar.followsCustomerZone ? ZONES[Math.floor(rnd() * ZONES.length)]! : null;
    const sent = rnd() < 0.5 ? ["initial-response:0:0.5"] : [];
    cases.push({ policy, timeline, context: { entitlements, customerZone, remindersSent: sent }, now: lastAt + Math.floor(rnd() * 3 * 86_400_000) });
  }
  return cases;
}

/** Evaluates every case once; returns wall and CPU seconds and a checksum so the work cannot be optimised away. */
function evaluateAll(cases: BenchCase[]): { seconds: number; cpuSeconds: number; checksum: number; metrics: number } {
  let checksum = 0;
  let metrics = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const c of cases) {
    const e = evaluateCase({ policy: c.policy, calendarFor: calendarsForPolicy(c.policy, c.context.customerZone), timeline: c.timeline, context: c.context, now: c.now });
    checksum += (e.nextActionAt ?? 0) % 1000;
    metrics += e.metrics.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, checksum, metrics };
}

export function runCaseBench(opts: { cases: number }): Record<string, number | string> {
  const cases = makeCases(opts.cases, 20260301);
  evaluateAll(cases.slice(0, Math.min(cases.length, 50_000))); // warm-up: JIT and calendar tables
  const run = evaluateAll(cases);
  const events = cases.reduce((s, c) => s + c.timeline.length, 0);
  return {
    cases: cases.length,
    policies: [...new Set(cases.map((c) => c.policy.id))].join(", "),
    eventsPerCaseAvg: Number((events / cases.length).toFixed(1)),
    metricsPerCaseAvg: Number((run.metrics / cases.length).toFixed(2)),
    caseEvaluationsPerSecond: Math.round(cases.length / run.seconds),
    // Per second of this process's CPU time: steadier than wall time when other work shares the 2 cores.
    caseEvaluationsPerCpuSecond: Math.round(cases.length / run.cpuSeconds),
    checksum: run.checksum,
  };
}

function print(title: string, result: Record<string, number | string>): void {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of Object.entries(result)) {
    process.stdout.write(`  ${k.padEnd(40)} ${typeof v === "number" ? v.toLocaleString("en-US") : v}\n`);
  }
}

const args = process.argv.slice(2);
const argValue = (name: string) => (args.indexOf(name) >= 0 ? Number(args[args.indexOf(name) + 1]) : undefined);
const smoke = args.includes("--smoke");
const n = argValue("--n") ?? (smoke ? 10_000 : 1_000_000);
const caseCount = argValue("--cases") ?? (smoke ? 5_000 : 500_000);

print(`Business-time additions (${n.toLocaleString("en-US")} random inputs)`, await runCalendarBench({ n }));
print(`Whole-case SLA evaluations (${caseCount.toLocaleString("en-US")} random timelines)`, runCaseBench({ cases: caseCount }));
process.stdout.write("\n");
