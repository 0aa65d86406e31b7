import { describe, expect, it } from "vitest";
import { formatDue, formatDueWithLuxon, formatSpan, readerZone } from "./present.js";

describe("presenting times in mail", () => {
  it("prints a due time in the reader's zone with its abbreviation", () => {
    const due = Date.parse("2026-11-23T18:00:00Z");
    expect(formatDue(due, "America/Los_Angeles")).toBe("Mon 23 Nov 2026, 10:00 PST");
    expect(formatDue(due, "UTC-3")).toBe("Mon 23 Nov 2026, 15:00 UTC-3");
  });
  it("says how much business time is left", () => {
    expect(formatSpan(150 * 60_000)).toBe("2 h 30 min of business time");
    expect(formatSpan(-20 * 60_000)).toBe("20 min of business time");
    expect(formatSpan(26 * 3_600_000, { business: false })).toBe("1 day 2 h");
  });
  it("falls back from an invalid zone to the next one", () => {
    expect(readerZone(null, "Not/AZone", "Europe/Berlin")).toBe("Europe/Berlin");
  });
});

describe("formatDue's fast path", () => {
  it("prints exactly what luxon prints, in every kind of zone and across DST", () => {
    const zones = ["America/Los_Angeles", "America/New_York", "Europe/Moscow", "Europe/Berlin", "Asia/Kolkata", "UTC", "UTC-3", "Etc/GMT+3"];
    const start = Date.parse("2026-01-01T00:00:00Z");
    for (let i = 0; i < 2000; i++) {
      const t = start + i * 4_391_117 * 7; // about every 8.5 hours over a year, odd minutes included
      for (const zone of zones) expect(formatDue(t, zone)).toBe(formatDueWithLuxon(t, zone));
    }
  });
});
