import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  const opts = { initialMs: 1000, maxMs: 8000 };
  it.each([
    [0, 0, 500],
    [0, 0.999, 1000],
    [1, 0, 1000],
    [2, 0.5, 3000],
    [3, 0, 4000],
    [10, 0, 4000],
    [10, 0.999, 7996],
  ])("attempt %i with random %f waits %i ms", (attempt, random, expected) => {
    expect(backoffDelay(attempt, opts, random)).toBe(expected);
  });
});
