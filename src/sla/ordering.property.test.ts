/**
 * Every bundled policy's targets are ordered, for any opening instant and any customer: opened at the same
 * instant, a higher priority (listed earlier in `severities`) is never due later than a lower one for the same
 * metric, and on one case the first response is due no later than the workaround, the workaround no later than
 * the resolution. Due times come from the SLA engine itself (a case opened and acknowledged at the instant).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateTrail } from "../cases/case-sla.js";
import { loadBundledPolicies } from "../policy/load.js";
import type { Environment, MetricId, Policy } from "../policy/types.js";

const policies = [...loadBundledPolicies().values()];
const ENVIRONMENTS: Array<Environment | null> = ["production", "pre-production", "development", null];
const ZONES = [null, "America/Los_Angeles", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC"];
const CHAIN: MetricId[] = ["initial-response", "workaround", "resolution"];

/** Due time of each metric of a case of this kind opened (and acknowledged) at `at`. */
function dueTimes(policy: Policy, caseType: string, severity: string, facts: { environment: Environment | null; entitlements: string[]; zone: string | null }, at: number) {
  const data = { caseType, severity, environment: facts.environment };
  const trail = [
    { kind: "opened", at, data },
    { kind: "acknowledged", at, data: {} },
  ];
  const evaluation = evaluateTrail(policy, trail, { entitlements: facts.entitlements, customerZone: facts.zone }, null, at);
  return new Map(evaluation.metrics.map((m) => [m.metric, m.dueAt]));
}

const instant = fc.integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2030-12-31T00:00:00Z") });

describe.each(policies.map((p) => [p.id, p] as const))("targets of %s are ordered", (_id, policy) => {
  const subsets = (ids: string[]): string[][] => ids.reduce<string[][]>((all, id) => [...all, ...all.map((s) => [...s, id])], [[]]);
  const facts = fc.record({
    environment: fc.constantFrom(...ENVIRONMENTS),
    entitlements: fc.constantFrom(...subsets(policy.entitlements.map((e) => e.id))),
    zone: fc.constantFrom(...ZONES),
  });
  const caseType = fc.constantFrom(...policy.caseTypes);

  it("a higher priority is never due later than a lower one for the same metric", () => {
    fc.assert(
      fc.property(instant, facts, caseType, (at, f, type) => {
        const bySeverity = policy.severities.map((s) => dueTimes(policy, type, s.id, f, at));
        for (let hi = 0; hi < bySeverity.length; hi++) {
          for (let lo = hi + 1; lo < bySeverity.length; lo++) {
            for (const [metric, due] of bySeverity[hi]!) {
              const lower = bySeverity[lo]!.get(metric);
              if (lower !== undefined) expect(due, `${type} ${policy.severities[hi]!.id} vs ${policy.severities[lo]!.id} ${metric}`).toBeLessThanOrEqual(lower);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("on one case: first response ≤ workaround ≤ resolution", () => {
    fc.assert(
      fc.property(instant, facts, caseType, fc.constantFrom(...policy.severities.map((s) => s.id)), (at, f, type, severity) => {
        const due = dueTimes(policy, type, severity, f, at);
        const chain = CHAIN.flatMap((m) => (due.has(m) ? [[m, due.get(m)!] as const] : []));
        for (let i = 1; i < chain.length; i++) expect(chain[i - 1]![1], `${type} ${severity}: ${chain[i - 1]![0]} before ${chain[i]![0]}`).toBeLessThanOrEqual(chain[i]![1]);
      }),
      { numRuns: 150 },
    );
  });
});
