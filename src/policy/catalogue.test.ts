import { describe, expect, it } from "vitest";
import { requirePolicy } from "./catalogue.js";
import { loadBundledPolicies } from "./load.js";

const policies = loadBundledPolicies();

describe("requirePolicy", () => {
  it("returns the policy of a known id", () => {
    expect(requirePolicy(policies, "vantiq").name).toBe("VANTIQ Technical Support");
  });

  it("fails with E_POLICY_UNKNOWN naming the loaded policies", () => {
    expect(() => requirePolicy(policies, "nope")).toThrow(
      expect.objectContaining({
        code: "E_POLICY_UNKNOWN",
        message: expect.stringMatching(/^no policy "nope"; known policies: ciq-premium, ciq-standard, .*, vantiq \(/),
        details: { policyId: "nope" },
      }),
    );
  });

  it("names who uses the id when it comes from stored data", () => {
    expect(() => requirePolicy(new Map(), "gone", "case #12")).toThrow(
      expect.objectContaining({
        code: "E_POLICY_UNKNOWN",
        message: expect.stringMatching(/^case #12 uses policy "gone", which is not loaded; known policies: none \(/),
        details: { policyId: "gone", usedBy: "case #12" },
      }),
    );
  });
});
