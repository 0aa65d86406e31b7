import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { requirePolicy } from "./catalogue.js";
import { loadBundledPolicies } from "./load.js";

const policies = loadBundledPolicies();

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("requirePolicy", () => {
  it("returns the policy of a known id", () => {
    expect(requirePolicy(policies, "vantiq").name).toBe("VANTIQ Technical Support");
  });

  it("fails with E_POLICY_UNKNOWN naming the loaded policies", () => {
    const error = failure(() => requirePolicy(policies, "nope"));
    expect(error.code).toBe("E_POLICY_UNKNOWN");
    expect(error.message).toMatch(/^no policy "nope"; known policies: ciq-premium, ciq-standard, .*, vantiq \(/);
    expect(error.details).toEqual({ policyId: "nope" });
  });

  it("names who uses the id when it comes from stored data", () => {
    const error = failure(() => requirePolicy(new Map(), "gone", "case #12"));
    expect(error.code).toBe("E_POLICY_UNKNOWN");
    expect(error.message).toMatch(/^case #12 uses policy "gone", which is not loaded; known policies: none \(/);
    expect(error.details).toEqual({ policyId: "gone", usedBy: "case #12" });
  });
});
