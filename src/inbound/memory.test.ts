import { describe, expect, it } from "vitest";
import { exposedGc, memoryBudget } from "./memory.js";

describe("memoryBudget", () => {
  it("after every minBytes of mail: a young-generation collection, or a full incremental one while RSS is over the soft limit", () => {
    const calls: string[] = [];
    let rss = 100;
    const budget = memoryBudget({ softLimitBytes: 150, minBytes: 10, gc: (o) => void calls.push(`${o.type}/${o.execution}`), rss: () => rss });
    budget.spend(5);
    expect(calls).toEqual([]); // under minBytes since the start
    budget.spend(5);
    expect(calls).toEqual(["minor/sync"]);
    rss = 200;
    budget.spend(9);
    expect(calls).toEqual(["minor/sync"]); // over the limit, but only 9 bytes since
    budget.spend(1);
    expect(calls).toEqual(["minor/sync", "major/async"]);
    rss = 120;
    budget.spend(100);
    expect(calls).toEqual(["minor/sync", "major/async", "minor/sync"]);
  });

  it("does nothing when no collector is available", () => {
    expect(() => memoryBudget({ softLimitBytes: 0, minBytes: 0, gc: null }).spend(10)).not.toThrow();
  });

  it("finds V8's collector at run time, without the --expose-gc flag", () => {
    const gc = exposedGc();
    expect(typeof gc).toBe("function");
    expect(() => gc!({ type: "minor", execution: "sync" })).not.toThrow();
    expect(() => gc!({ type: "major", execution: "async" })).not.toThrow();
  });
});
