import { describe, expect, it } from "vitest";
import { exposedGc, memoryBudget } from "./memory.js";

describe("memoryBudget", () => {
  it("collects once each time the budget of mail bytes is spent, not before", () => {
    let collections = 0;
    const budget = memoryBudget(100, () => void collections++);
    budget.spend(60);
    expect(collections).toBe(0);
    budget.spend(40);
    expect(collections).toBe(1);
    budget.spend(99);
    expect(collections).toBe(1);
    budget.spend(500);
    expect(collections).toBe(2);
  });

  it("does nothing when no collector is available", () => {
    expect(() => memoryBudget(1, null).spend(10)).not.toThrow();
  });

  it("finds V8's collector at run time, without the --expose-gc flag", () => {
    const gc = exposedGc();
    expect(typeof gc).toBe("function");
    expect(() => gc!()).not.toThrow();
  });
});
