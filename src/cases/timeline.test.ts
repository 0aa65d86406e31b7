import { describe, expect, it } from "vitest";
import { timelineFromEvents } from "./timeline.js";

describe("case trail to SLA timeline", () => {
  it("keeps the events that move clocks and drops the rest", () => {
    const t = Date.parse("2026-11-20T16:00:00Z");
    const timeline = timelineFromEvents([
      { kind: "opened", at: t, data: { caseType: "incident", severity: "2", environment: "production" } },
      { kind: "acknowledged", at: t, data: {} },
      { kind: "note", at: t + 1, data: { text: "internal" } },
      { kind: "assigned", at: t + 2, data: { to: "alice@vendor.example" } },
      { kind: "staff-replied", at: t + 3, data: { public: false } },
      { kind: "status-changed", at: t + 4, data: { status: "waiting" } },
      { kind: "severity-changed", at: t + 5, data: { severity: "1" } },
    ]);
    expect(timeline).toEqual([
      { kind: "opened", at: t, caseType: "incident", severity: "2", environment: "production" },
      { kind: "acknowledged", at: t },
      { kind: "staff-replied", at: t + 3, public: false },
      { kind: "status-changed", at: t + 4, status: "waiting" },
      { kind: "severity-changed", at: t + 5, severity: "1" },
    ]);
  });
});
