import { describe, expect, it } from "vitest";
import { retryDelay, shouldGiveUp } from "./retry.js";

describe("delivery retry backoff", () => {
  const policy = { baseMs: 1000, maxDelayMs: 60_000, maxAttempts: 5 };
  it("doubles the ceiling per attempt, between half and all of it", () => {
    expect(retryDelay(1, 0, policy)).toBe(500);
    expect(retryDelay(1, 0.999999, policy)).toBe(1000);
    expect(retryDelay(3, 0, policy)).toBe(2000);
    expect(retryDelay(3, 0.5, policy)).toBe(3000);
  });
  it("never exceeds the cap", () => {
    expect(retryDelay(40, 0.999, policy)).toBeLessThanOrEqual(60_000);
  });
  it("gives up after the last allowed attempt", () => {
    expect(shouldGiveUp(4, policy)).toBe(false);
    expect(shouldGiveUp(5, policy)).toBe(true);
  });
});
