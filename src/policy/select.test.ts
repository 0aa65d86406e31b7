import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "./load.js";
import { eligibleSeverity } from "./eligibility.js";
import { checkEligibility, resolveSeverity } from "./select.js";
import type { Policy } from "./types.js";

const policies = loadBundledPolicies();
const get = (id: string) => policies.get(id) as Policy;

describe("resolveSeverity", () => {
  it.each([
    ["vantiq", "Sev 1", "1"],
    ["vantiq", "sev-1", "1"],
    ["vantiq", "SEV1", "1"],
    ["vantiq", "S1", "1"],
    ["vantiq", "Severity 1", "1"],
    ["vantiq", "severity one", "1"],
    ["vantiq", "1", "1"],
    ["vantiq", " Critical ", "1"],
    ["vantiq", "Severity 1 (Critical)", "1"],
    ["vantiq", "2 - significant business impact", "2"],
    ["vantiq", "s_4", "4"],
    ["ciq-standard", "High", "2"],
    ["ciq-standard", "Normal", "3"],
    ["ciq-standard", "low", "4"],
    ["ciq-standard", "Severity 2 (High)", "2"],
    ["konneqt-enterprise", "P0", "P0"],
    ["konneqt-enterprise", "p-0", "P0"],
    ["konneqt-enterprise", "Catastrophic", "P0"],
    ["konneqt-enterprise", "P0 – Catastrophic", "P0"],
    ["konneqt-enterprise", "P1: our API is down", "P1"],
    ["konneqt-enterprise", "critical", "P1"],
    ["konneqt-basic", "P0", "P1"],
    ["infotecs-basic", "critical", "1"],
    ["infotecs-basic", "minor", "2"],
  ])("%s: %j → %s", (policy, text, id) => {
    expect(resolveSeverity(get(policy), text)?.id).toBe(id);
  });

  it.each([
    ["vantiq", "Severity 5"],
    ["vantiq", ""],
    ["vantiq", "whenever"],
    ["konneqt-enterprise", "P4"],
    ["vantiq", "12"],
  ])("%s: %j → null", (policy, text) => {
    expect(resolveSeverity(get(policy), text)).toBeNull();
  });
});

describe("eligibility", () => {
  it("vantiq Severity 1 in development is downgraded to 2 with the reason", () => {
    const r = checkEligibility(get("vantiq"), { caseType: "incident", severity: "1", environment: "development", entitlements: [] });
    expect(r).toMatchObject({ ok: false, downgradeTo: "2" });
    expect(!r.ok && r.rule.reason).toMatch(/production/);
    expect(!r.ok && r.undetermined).toBeUndefined();
  });

  it("vantiq Severity 1 in production is allowed, with or without the 24x7 add-on", () => {
    expect(checkEligibility(get("vantiq"), { caseType: "incident", severity: "1", environment: "production", entitlements: [] })).toEqual({ ok: true });
    expect(checkEligibility(get("vantiq"), { caseType: "incident", severity: "2", environment: "development", entitlements: [] })).toEqual({ ok: true });
  });

  it("an unknown environment fails the rule but says it is undetermined", () => {
    const r = checkEligibility(get("vantiq"), { caseType: "incident", severity: "1", environment: null, entitlements: [] });
    expect(r).toMatchObject({ ok: false, downgradeTo: "2", undetermined: true });
  });

  it("konneqt P0 without a managed deployment becomes P1; with one it stays P0", () => {
    const facts = { caseType: "incident" as const, severity: "P0", environment: "production" as const, entitlements: [] };
    expect(eligibleSeverity(get("konneqt-enterprise"), facts)).toEqual({
      refused: false,
      severity: "P1",
      reasons: ["P0 applies to Managed Deployments only, so this incident is handled as P1. The organization does not hold the managed-deployment entitlement."],
    });
    expect(eligibleSeverity(get("konneqt-enterprise"), { ...facts, entitlements: ["managed-deployment"] })).toEqual({ refused: false, severity: "P0", reasons: [] });
  });

  it("konneqt-basic refuses incidents outside production but takes queries", () => {
    const basic = get("konneqt-basic");
    expect(checkEligibility(basic, { caseType: "incident", severity: "P2", environment: "pre-production", entitlements: [] })).toMatchObject({ ok: false, refuse: true });
    expect(eligibleSeverity(basic, { caseType: "incident", severity: "P2", environment: "pre-production", entitlements: [] })).toMatchObject({ refused: true, severity: "P2" });
    expect(checkEligibility(basic, { caseType: "query", severity: "P3", environment: "development", entitlements: [] })).toEqual({ ok: true });
    expect(checkEligibility(basic, { caseType: "incident", severity: "P1", environment: "production", entitlements: [] })).toEqual({ ok: true });
  });
});
