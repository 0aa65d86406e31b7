/**
 * Properties of the engine over random realistic timelines on every bundled policy.
 */
import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../policy/load.js";
import type { Policy } from "../policy/types.js";
import { calendarsForPolicy } from "./calendars.js";
import { evaluateCase } from "./engine.js";
import { prng } from "../../harness/prng.js";
import { sampleTimeline } from "../../harness/sla/sample-timelines.js";
import type { SlaEvaluation, TimelineEvent } from "./types.js";

const policies = [...loadBundledPolicies().values()];
const ENTITLEMENTS = [[], ["24x7-sev1"], ["named-contact"], ["managed-deployment"], ["24x7-sev1", "named-contact", "managed-deployment"]];
const ZONES = ["America/New_York", "America/Los_Angeles", "Europe/Berlin", "UTC-3", "Asia/Kolkata"];

const scenario = fc.record({
  policy: fc.constantFrom(...policies),
  seed: fc.integer(),
  entitlements: fc.constantFrom(...ENTITLEMENTS),
  customerZone: fc.constantFrom(null, ...ZONES),
  laterMs: fc.integer({ min: 0, max: 30 * 24 * 3600_000 }),
});

function run(policy: Policy, timeline: TimelineEvent[], now: number, entitlements: string[], customerZone: string | null): SlaEvaluation {
  return evaluateCase({
    policy,
    calendarFor: calendarsForPolicy(policy, customerZone),
    timeline,
    context: { entitlements, customerZone },
    now,
  });
}

describe("SLA engine properties", () => {
  it("never puts a due time before the clock's start", () => {
    fc.assert(
      fc.property(scenario, ({ policy, seed, entitlements, customerZone, laterMs }) => {
        const { timeline, lastAt } = sampleTimeline(policy, prng(seed));
        for (const m of run(policy, timeline, lastAt + laterMs, entitlements, customerZone).metrics) {
          expect(m.dueAt).toBeGreaterThanOrEqual(m.start);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same answer whatever zone the input instants were written in", () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom(...ZONES), ({ policy, seed, entitlements, customerZone, laterMs }, writtenIn) => {
        const { timeline, lastAt } = sampleTimeline(policy, prng(seed));
        // Round-trip every instant through ISO text with another zone's offset, as a caller in that zone would write it.
        const rewrite = (t: number) => Date.parse(DateTime.fromMillis(t, { zone: writtenIn }).toISO()!);
        const rewritten = timeline.map((e) => ({ ...e, at: rewrite(e.at) }));
        const now = lastAt + laterMs;
        expect(run(policy, rewritten, rewrite(now), entitlements, customerZone)).toEqual(run(policy, timeline, now, entitlements, customerZone));
      }),
      { numRuns: 200 },
    );
  });

  it("never un-breaches a metric when evaluated later on the same history", () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 10 * 24 * 3600_000 }), ({ policy, seed, entitlements, customerZone, laterMs }, moreMs) => {
        const { timeline, lastAt } = sampleTimeline(policy, prng(seed));
        const early = run(policy, timeline, lastAt + laterMs, entitlements, customerZone);
        const late = run(policy, timeline, lastAt + laterMs + moreMs, entitlements, customerZone);
        for (const m of early.metrics.filter((x) => x.state === "breached" || x.state === "breached-met")) {
          const again = late.metrics.find((x) => x.metric === m.metric && x.cycle === m.cycle);
          expect(again?.state).toMatch(/^breached/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("owes each reminder once: after sending what is due, nothing is due at the same instant", () => {
    fc.assert(
      fc.property(scenario, ({ policy, seed, entitlements, customerZone, laterMs }) => {
        const { timeline, lastAt } = sampleTimeline(policy, prng(seed));
        const input = { policy, calendarFor: calendarsForPolicy(policy, customerZone), timeline, now: lastAt + laterMs };
        const first = evaluateCase({ ...input, context: { entitlements, customerZone } });
        expect(new Set(first.due.map((r) => r.key)).size).toBe(first.due.length);
        const second = evaluateCase({ ...input, context: { entitlements, customerZone, remindersSent: first.due.map((r) => r.key) } });
        expect(second.due).toEqual([]);
        if (second.nextActionAt !== null) expect(second.nextActionAt).toBeGreaterThan(input.now);
      }),
      { numRuns: 200 },
    );
  });
});
