import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../policy/load.js";
import type { QuotaCase } from "../entitlements/quota.js";
import { nearQuotaRows, type QuotaOrganization } from "./quota.js";

const policies = loadBundledPolicies();
const t = (iso: string) => Date.parse(iso);
const resolved = (count: number, at: string, caseType = "incident"): QuotaCase[] =>
  Array.from({ length: count }, (_, i) => ({ number: i + 1, caseType, status: "resolved", statusChanges: [{ at: t(at), status: "resolved" }] }));
const org = (name: string, cases: QuotaCase[], over: Partial<QuotaOrganization> = {}): QuotaOrganization => ({
  name, policy: policies.get("infotecs-basic")!, term: { start: "2026-03-01", end: null }, agreement: null, zone: "Europe/Moscow", cases, ...over,
});
const NOW = t("2026-07-10T09:00:00Z");

describe("digest: organizations at or over 80% of their ticket quota", () => {
  it('[001] "up to 40 Tickets per year": 32 resolved (80%) and 41 (over) are listed, fullest first; 31 is not', () => {
    const rows = nearQuotaRows([org("Oscorp", resolved(32, "2026-05-01T09:00:00Z")), org("Stark", resolved(41, "2026-05-01T09:00:00Z")), org("Wayne", resolved(31, "2026-05-01T09:00:00Z"))], NOW);
    expect(rows).toEqual([
      { organization: "Stark", year: 1, used: 41, allowance: 40, remaining: 0 },
      { organization: "Oscorp", year: 1, used: 32, allowance: 40, remaining: 8 },
    ]);
  });

  it("counts the current contract year only, with carry-over, the contract's own number, and the policy's counted types", () => {
    // Year 1 (2025-03-01..2026-02-28): 30 of 40 used, 10 carried: year 2 allows 50, 38 is 76%.
    const carried = org("Wayne", [...resolved(30, "2025-06-01T09:00:00Z"), ...resolved(38, "2026-05-01T09:00:00Z")], { term: { start: "2025-03-01", end: null } });
    expect(nearQuotaRows([carried], NOW)).toEqual([]);
    // A contract of 20 tickets: 16 is 80%.
    expect(nearQuotaRows([org("Acme", resolved(16, "2026-05-01T09:00:00Z"), { agreement: { ticketsPerYear: 20 } })], NOW)).toMatchObject([{ organization: "Acme", used: 16, allowance: 20, remaining: 4 }]);
    // Premium counts incidents and queries, not feature requests ("the price shall be stipulated separately").
    expect(nearQuotaRows([org("Pym", resolved(35, "2026-05-01T09:00:00Z", "rfe"), { policy: policies.get("infotecs-premium")! })], NOW)).toEqual([]);
    // No contract term, or a policy without a quota: nothing to count.
    expect(nearQuotaRows([org("NoTerm", resolved(39, "2026-05-01T09:00:00Z"), { term: null }), org("Vantiq", resolved(39, "2026-05-01T09:00:00Z"), { policy: policies.get("vantiq")! })], NOW)).toEqual([]);
  });
});
