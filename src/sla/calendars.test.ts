import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../policy/load.js";
import { calendarsForPolicy } from "./calendars.js";

const vantiq = loadBundledPolicies().get("vantiq")!;
const FOUR_HOURS = { unit: "minutes", amount: 240 } as const;

describe("a policy's calendars for one organization", () => {
  it("stops business-hour clocks on the organization's own closed days", () => {
    // Fri 20 Nov 2026 16:00 Pacific + 4 business hours: Fri 16–18 (2 h), then 2 h on the next open day.
    const start = Date.parse("2026-11-20T16:00:00-08:00");
    expect(calendarsForPolicy(vantiq)("business").add(start, FOUR_HOURS)).toBe(Date.parse("2026-11-23T10:00:00-08:00"));
    // The customer is closed on Monday 23 November: the clock resumes on Tuesday.
    const withClosure = calendarsForPolicy(vantiq, null, ["2026-11-23"]);
    expect(withClosure("business").add(start, FOUR_HOURS)).toBe(Date.parse("2026-11-24T10:00:00-08:00"));
    // Around-the-clock coverage knows no closed days.
    expect(withClosure("24x7").add(start, FOUR_HOURS)).toBe(Date.parse("2026-11-20T20:00:00-08:00"));
  });

  it("keeps organizations' calendars apart", () => {
    const closed = calendarsForPolicy(vantiq, null, ["2026-11-23"])("business");
    const open = calendarsForPolicy(vantiq)("business");
    expect(closed).not.toBe(open);
    expect(open.isOpen(Date.parse("2026-11-23T09:00:00-08:00"))).toBe(true);
    expect(closed.isOpen(Date.parse("2026-11-23T09:00:00-08:00"))).toBe(false);
  });
});
