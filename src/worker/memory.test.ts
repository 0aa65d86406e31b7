import { describe, expect, it } from "vitest";
import { exposedGc, memoryBudget } from "./memory.js";

describe("memoryBudget", () => {
  it("collects only while RSS is over the soft limit, at most once per minBytes of mail", () => {
    let collections = 0;
    let rss = 100;
    const budget = memoryBudget({ softLimitBytes: 150, minBytes: 10, gc: () => void collections++, rss: () => rss });
    budget.spend(50);
    expect(collections).toBe(0); // RSS under the limit: no collection, however much mail
    rss = 200;
    budget.spend(5);
    expect(collections).toBe(1); // over the limit, and 55 bytes since the last collection
    budget.spend(5);
    expect(collections).toBe(1); // still over, but only 5 bytes since
    budget.spend(5);
    expect(collections).toBe(2);
    rss = 120;
    budget.spend(100);
    expect(collections).toBe(2);
  });

  it("does nothing when no collector is available", () => {
    expect(() => memoryBudget({ softLimitBytes: 0, minBytes: 0, gc: null }).spend(10)).not.toThrow();
  });

  it("finds V8's collector at run time, without the --expose-gc flag", () => {
    const gc = exposedGc();
    expect(typeof gc).toBe("function");
    expect(() => gc!()).not.toThrow();
  });
});
