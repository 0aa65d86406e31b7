import { describe, expect, it } from "vitest";
import type { MetricStatus } from "../../sla/types.js";
import { clockView, nextClock } from "./clock-view.js";

const metric = (over: Partial<MetricStatus>): MetricStatus => ({
  metric: "initial-response",
  cycle: 0,
  start: 0,
  targetText: "4 business hours",
  dueAt: 1_000_000,
  state: "running",
  metAt: null,
  remainingMs: 2 * 3_600_000,
  ...over,
});

describe("the board's clocks", () => {
  it.each([
    [{ state: "running", remainingMs: 2 * 3_600_000 }, "running", "2 h of business time left"],
    [{ state: "running", remainingMs: 45 * 60_000 }, "at-risk", "45 min of business time left"],
    [{ state: "breached", remainingMs: -90 * 60_000 }, "breached", "breached, 1 h 30 min of business time over"],
    [{ state: "paused", remainingMs: 3 * 3_600_000 }, "paused", "paused, 3 h of business time left"],
    [{ state: "met", metAt: 5 }, "met", "met"],
  ] as const)("%j reads %s: %s", (over, state, countdown) => {
    expect(clockView(metric(over))).toMatchObject({ state, countdown, metric: "first response" });
  });

  it("shows the open target due first, a breached one before a running one, none when all are met", () => {
    const shown = nextClock([
      metric({ metric: "resolution", dueAt: 5_000_000 }),
      metric({ metric: "workaround", state: "breached", dueAt: 500_000, remainingMs: -1 }),
      metric({ metric: "status-update", state: "met", dueAt: 100, metAt: 50 }),
    ]);
    expect(shown).toMatchObject({ metric: "workaround", state: "breached" });
    expect(nextClock([metric({ state: "met", metAt: 1 })])).toBeNull();
  });
});
