import { describe, expect, it } from "vitest";
import { boundsBytes, checkMaxBytes, prefixWithinBytes } from "./byte-budget.js";

describe("prefixWithinBytes", () => {
  it("takes the longest prefix whose sizes sum to at most the bound", () => {
    expect(prefixWithinBytes([3, 3, 3, 3], 9)).toBe(3);
    expect(prefixWithinBytes([3, 3, 3, 3], 8)).toBe(2);
    expect(prefixWithinBytes([3, 3, 3], 100)).toBe(3);
  });

  it("stops at the first message that does not fit, even when a later one would", () => {
    expect(prefixWithinBytes([2, 10, 1], 5)).toBe(1);
  });

  it("always takes one message, however large, so a big message cannot block the folder", () => {
    expect(prefixWithinBytes([30_000_000, 1], 1_000_000)).toBe(1);
    expect(prefixWithinBytes([5], 0)).toBe(1);
  });

  it("takes nothing from nothing and everything without a bound", () => {
    expect(prefixWithinBytes([], 10)).toBe(0);
    expect(prefixWithinBytes([1e9, 1e9], undefined)).toBe(2);
    expect(prefixWithinBytes([1e9, 1e9], Number.POSITIVE_INFINITY)).toBe(2);
  });
});

describe("checkMaxBytes", () => {
  it("accepts undefined, zero, positive numbers and Infinity", () => {
    for (const ok of [undefined, 0, 1, 8 * 1024 * 1024, Number.POSITIVE_INFINITY]) expect(() => checkMaxBytes(ok)).not.toThrow();
  });

  it("rejects negative numbers and NaN with a typed, non-retryable error", () => {
    for (const bad of [-1, Number.NaN]) {
      expect(() => checkMaxBytes(bad)).toThrow(expect.objectContaining({ code: "E_SOURCE_BAD_MAX_BYTES", retryable: false }));
    }
  });

  it("boundsBytes is false only when nothing can be cut", () => {
    expect([undefined, Number.POSITIVE_INFINITY, 0, 10].map(boundsBytes)).toEqual([false, false, true, true]);
  });
});
