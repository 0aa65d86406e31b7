import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { parseContract, withContract } from "./contract.js";
import { loadBundledPolicies } from "./load.js";
import { serviceLevelFor } from "./select.js";

const infotecs = loadBundledPolicies().get("infotecs-basic")!;

const agreement = `
serviceLevels:
  - caseType: incident
    severity: "1"
    targets: { initial-response: 4 business hours, resolution: 5 business days }
  - caseType: incident
    severity: "2"
    targets: { initial-response: 2 business days }
`;

describe("an organization's contract", () => {
  it("adds the targets the policy leaves to the agreement", () => {
    const levels = parseContract(agreement, "acme-contract.yaml", infotecs);
    expect(serviceLevelFor(infotecs, { caseType: "incident", severity: "1", entitlements: [] })).toBeNull();
    const level = serviceLevelFor(withContract(infotecs, levels), { caseType: "incident", severity: "1", entitlements: [] });
    expect(level?.targets["initial-response"]).toEqual({ duration: { unit: "minutes", amount: 240 }, text: "4 business hours" });
    expect(level?.targets.resolution?.duration).toEqual({ unit: "days", amount: 5 });
  });

  it("gives the same policy object for the same contract, so calendars stay cached", () => {
    const a = withContract(infotecs, parseContract(agreement, "a.yaml", infotecs));
    const b = withContract(infotecs, parseContract(agreement, "a.yaml", infotecs));
    expect(a).toBe(b);
    expect(withContract(infotecs, [])).toBe(infotecs);
  });

  it.each([
    ["serviceLevels: []", "serviceLevels"],
    ["serviceLevels:\n  - { caseType: incident, severity: \"9\", targets: { initial-response: 1 hour } }", "serviceLevels[0].severity"],
    ["serviceLevels:\n  - { caseType: rfe, severity: null, targets: { initial-response: 1 hour } }", "serviceLevels[0].caseType"],
    ["serviceLevels:\n  - { caseType: incident, targets: { initial-response: soon } }", "serviceLevels[0].targets.initial-response"],
    ["serviceLevels:\n  - { caseType: incident, targets: {}, extra: 1 }", "serviceLevels[0]"],
  ])("names the file and the field of a mistake: %s", (text, path) => {
    try {
      parseContract(text, "acme-contract.yaml", infotecs);
      expect.unreachable("the contract should not validate");
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const v = error as ValidationError;
      expect(v.file).toBe("acme-contract.yaml");
      expect(v.issues.map((i) => i.path)).toContain(path);
    }
  });
});
