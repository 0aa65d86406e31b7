import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../policy/load.js";
import { quotaRuleFor, resolvedAt, usageAt, yearUsage, type QuotaCase } from "./quota.js";

const policies = loadBundledPolicies();
const basic = quotaRuleFor(policies.get("infotecs-basic")!, null)!;
const premium = quotaRuleFor(policies.get("infotecs-premium")!, null)!;
const term = { start: "2025-03-01", end: null };
const t = (iso: string) => Date.parse(iso);
const resolved = (number: number, at: string, caseType = "incident"): QuotaCase => ({ number, caseType, status: "resolved", statusChanges: [{ at: t(at), status: "resolved" }] });

describe("ticket quota", () => {
  it('[001] "up to 40 Tickets per year": the rule comes from the policy, a contract may change the number and cap carry-over', () => {
    expect(basic).toEqual({ ticketsPerYear: 40, carryOver: true, carryOverCap: null, countedCaseTypes: null });
    expect(quotaRuleFor(policies.get("infotecs-basic")!, { ticketsPerYear: 60, carryOverCap: 5 })).toMatchObject({ ticketsPerYear: 60, carryOverCap: 5 });
    expect(quotaRuleFor(policies.get("vantiq")!, null)).toBeNull();
  });

  it("dates a case by the start of its current resolved stretch; a reopened case does not count until resolved again", () => {
    const changes = [
      { at: t("2025-04-01T00:00:00Z"), status: "resolved" },
      { at: t("2025-04-02T00:00:00Z"), status: "open" },
      { at: t("2025-04-03T00:00:00Z"), status: "resolved" },
      { at: t("2025-04-04T00:00:00Z"), status: "closed" },
    ];
    expect(resolvedAt({ number: 1, caseType: "incident", status: "closed", statusChanges: changes })).toBe(t("2025-04-03T00:00:00Z"));
    expect(resolvedAt({ number: 1, caseType: "incident", status: "open", statusChanges: changes.slice(0, 2) })).toBeNull();
  });

  it("[001] unused tickets carry over: 30 resolved in year one give 50 in year two; a contract cap limits it", () => {
    const cases = Array.from({ length: 30 }, (_, i) => resolved(i + 1, "2025-09-01T09:00:00Z"));
    expect(yearUsage(basic, term, "Europe/Moscow", cases, 2)).toMatchObject({ base: 40, carriedOver: 10, allowance: 50, used: 0 });
    expect(yearUsage({ ...basic, carryOverCap: 4 }, term, "Europe/Moscow", cases, 2).allowance).toBe(44);
    expect(yearUsage({ ...basic, carryOver: false }, term, "Europe/Moscow", cases, 2).allowance).toBe(40);
  });

  it("Premium: a case reclassified as a feature request (#type rfe) stops counting", () => {
    const cases = [resolved(1, "2025-05-01T09:00:00Z"), resolved(2, "2025-05-02T09:00:00Z", "rfe")];
    expect(usageAt(premium, term, "Europe/Moscow", cases, t("2025-06-01T00:00:00Z"))).toMatchObject({ used: 1, counted: [{ number: 1 }] });
    expect(usageAt(basic, term, "Europe/Moscow", cases, t("2025-06-01T00:00:00Z"))?.used).toBe(2);
  });
});
