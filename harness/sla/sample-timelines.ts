/**
 * Random but realistic case timelines from a seed, for the property tests and the benchmark: an opening,
 * the acknowledgment, replies back and forth, waiting spells, severity changes, a workaround, a resolution
 * and sometimes a reopen. Deterministic (seeded PRNG), so a failing property prints a seed to replay.
 */
import type { Instant } from "../../src/calendar/types.js";
import type { Environment, Policy } from "../../src/policy/types.js";
import type { CaseStatus, TimelineEvent } from "../../src/sla/types.js";
import { prng } from "../prng.js";

const MIN = 60_000;
const ENVIRONMENTS: Environment[] = ["production", "production", "pre-production", "development"];
/** 2026-01-01T00:00Z and two years on: the span the calendars' tables cover in the benchmark. */
export const SAMPLE_FROM = Date.UTC(2026, 0, 1);
export const SAMPLE_SPAN = 2 * 365 * 24 * 60 * MIN;

export interface SampleCase {
  timeline: TimelineEvent[];
  /** The last event's instant: evaluate at or after it. */
  lastAt: Instant;
}

export function sampleTimeline(policy: Policy, rnd: () => number, maxEvents = 12): SampleCase {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let t = SAMPLE_FROM + Math.floor(rnd() * SAMPLE_SPAN);
  const severity = pick(policy.severities).id;
  const timeline: TimelineEvent[] = [
    { kind: "opened", at: t, caseType: pick(policy.caseTypes), severity, environment: pick(ENVIRONMENTS) },
  ];
  if (rnd() < 0.9) timeline.push({ kind: "acknowledged", at: (t += 1000) });
  let status = "open" as CaseStatus;
  const n = Math.floor(rnd() * maxEvents);
  for (let i = 0; i < n; i++) {
    // Gaps from a minute to about two days, skewed short like real conversations.
    t += Math.floor(MIN + rnd() * rnd() * rnd() * 48 * 60 * MIN);
    const r = rnd();
    if (r < 0.3) timeline.push({ kind: "staff-replied", at: t, public: rnd() < 0.85 });
    else if (r < 0.55) timeline.push({ kind: "customer-replied", at: t });
    else if (r < 0.85) {
      status = pick<CaseStatus>(status === "resolved" || status === "closed" ? ["open", "closed"] : ["waiting", "open", "resolved"]);
      timeline.push({ kind: "status-changed", at: t, status });
    } else if (r < 0.93) timeline.push({ kind: "severity-changed", at: t, severity: pick(policy.severities).id });
    else timeline.push({ kind: "workaround-provided", at: t });
  }
  return { timeline, lastAt: t };
}
