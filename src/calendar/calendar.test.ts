import { describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { buildCalendar } from "./calendar.js";
import type { CalendarSpec } from "./types.js";
import { CIQ_NEW_YORK, KONNEQT_BASIC, KONNEQT_ENTERPRISE, VANTIQ, weekdays } from "../../harness/calendar/sample-specs.js";

const CIQ = CIQ_NEW_YORK;

const ms = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toMillis();
const show = (t: number, zone: string) =>
  DateTime.fromMillis(t, { zone: zone.startsWith("UTC") ? `UTC${zone.slice(3)}` : zone }).toISO({ suppressMilliseconds: true });
const hours = (h: number) => ({ unit: "minutes", amount: h * 60 }) as const;
const days = (n: number) => ({ unit: "days", amount: n }) as const;

describe("add: seed cases", () => {
  const cases: Array<[string, CalendarSpec, string, { unit: "minutes" | "days"; amount: number }, string]> = [
    ["VANTIQ Friday 16:00 + 4 BH = Monday 10:00", VANTIQ, "2026-02-06T16:00-08:00", hours(4), "2026-02-09T10:00:00-08:00"],
    ["VANTIQ Thursday 14:00 + 4 BH = Thursday 18:00 (close)", VANTIQ, "2026-02-05T14:00-08:00", hours(4), "2026-02-05T18:00:00-08:00"],
    ["VANTIQ Saturday + 1 BD = Monday's close", VANTIQ, "2026-02-07T11:00-08:00", days(1), "2026-02-09T18:00:00-08:00"],
    ["VANTIQ Tuesday 10:00 + 1 BD = Wednesday 10:00", VANTIQ, "2026-02-03T10:00-08:00", days(1), "2026-02-04T10:00:00-08:00"],
    ["CIQ Saturday 03:00 + 60 min = Monday 09:00", CIQ, "2026-02-07T03:00-05:00", hours(1), "2026-02-09T09:00:00-05:00"],
    ["CIQ Wednesday 10:00 + 2 BD skips Thanksgiving", CIQ, "2026-11-25T10:00-05:00", days(2), "2026-11-30T10:00:00-05:00"],
    ["CIQ Wednesday 17:00 + 4 BH skips Thanksgiving", CIQ, "2026-11-25T17:00-05:00", hours(4), "2026-11-27T11:00:00-05:00"],
    ["CIQ Thursday 2 July 2026 + 1 BD = Friday 3 July (Fed open)", CIQ, "2026-07-02T09:00-04:00", days(1), "2026-07-03T09:00:00-04:00"],
    ["Konneqt Enterprise 2 July 2026 + 1 BD = Monday 6 July (3 July federal holiday)", KONNEQT_ENTERPRISE, "2026-07-02T09:00-04:00", days(1), "2026-07-06T09:00:00-04:00"],
    ["Konneqt Basic Friday 19:00 + 4h = Monday 11:00 UTC-3", KONNEQT_BASIC, "2026-02-06T19:00-03:00", hours(4), "2026-02-09T11:00:00-03:00"],
    ["Konneqt Basic written in UTC: same answer", KONNEQT_BASIC, "2026-02-06T22:00Z", hours(4), "2026-02-09T11:00:00-03:00"],
    ["zero duration = the next opening", VANTIQ, "2026-02-07T11:00-08:00", hours(0), "2026-02-09T08:00:00-08:00"],
    ["start exactly at close counts from the next opening", VANTIQ, "2026-02-05T18:00-08:00", hours(1), "2026-02-06T09:00:00-08:00"],
  ];
  it.each(cases)("%s", (_name, spec, start, duration, due) => {
    expect(show(buildCalendar(spec).add(ms(start), duration), spec.zone)).toBe(due);
  });
});

describe("DST weekends (8 March and 1 November 2026)", () => {
  const cases: Array<[string, CalendarSpec, string, number, string]> = [
    ["LA spring forward: Fri 16:00 PST + 4h = Mon 10:00 PDT", VANTIQ, "2026-03-06T16:00-08:00", 4, "2026-03-09T10:00:00-07:00"],
    ["LA fall back: Fri 16:00 PDT + 4h = Mon 10:00 PST", VANTIQ, "2026-10-30T16:00-07:00", 4, "2026-11-02T10:00:00-08:00"],
    ["NY spring forward: Sat 03:00 EST + 1h = Mon 09:00 EDT", CIQ, "2026-03-07T03:00-05:00", 1, "2026-03-09T09:00:00-04:00"],
    ["NY fall back: Fri 17:00 EDT + 10h = Mon 17:00 EST", CIQ, "2026-10-30T17:00-04:00", 10, "2026-11-02T17:00:00-05:00"],
  ];
  it.each(cases)("%s", (_name, spec, start, h, due) => {
    expect(show(buildCalendar(spec).add(ms(start), hours(h)), spec.zone)).toBe(due);
  });

  it("counts a DST weekend's business days as 10 hours each", () => {
    const cal = buildCalendar(VANTIQ);
    expect(cal.between(ms("2026-03-06T08:00-08:00"), ms("2026-03-09T18:00-07:00"))).toBe(20 * 3_600_000);
    expect(cal.between(ms("2026-10-30T08:00-07:00"), ms("2026-11-02T18:00-08:00"))).toBe(20 * 3_600_000);
  });

  it("a business hour across the spring-forward hour is an hour of elapsed time", () => {
    const night: CalendarSpec = { zone: "America/New_York", week: { sun: [{ from: "01:00", to: "05:00" }] }, holidays: [] };
    const cal = buildCalendar(night);
    // 01:00–05:00 local on 8 March 2026 lasts 3 real hours (02:00–03:00 does not exist).
    expect(cal.between(ms("2026-03-08T00:00-05:00"), ms("2026-03-08T06:00-04:00"))).toBe(3 * 3_600_000);
    expect(show(cal.add(ms("2026-03-08T01:30-05:00"), hours(1)), "America/New_York")).toBe("2026-03-08T03:30:00-04:00");
  });

  it("24x7 counts real elapsed minutes: 23-hour and 25-hour local days", () => {
    const cal = buildCalendar({ zone: "America/Los_Angeles", week: "24x7", holidays: [] });
    expect(cal.between(ms("2026-03-08T00:00-08:00"), ms("2026-03-09T00:00-07:00"))).toBe(23 * 3_600_000);
    expect(cal.between(ms("2026-11-01T00:00-07:00"), ms("2026-11-02T00:00-08:00"))).toBe(25 * 3_600_000);
    expect(show(cal.add(ms("2026-03-07T12:00-08:00"), hours(24)), "America/Los_Angeles")).toBe("2026-03-08T13:00:00-07:00");
    expect(cal.isOpen(ms("2026-12-25T03:00-08:00"))).toBe(true);
  });

  it("a 00:00–24:00 weekday calendar has 23 open hours on the spring-forward Sunday", () => {
    const cal = buildCalendar({ zone: "America/New_York", week: { sun: [{ from: "00:00", to: "24:00" }] }, holidays: [] });
    expect(cal.between(ms("2026-03-07T00:00-05:00"), ms("2026-03-10T00:00-04:00"))).toBe(23 * 3_600_000);
  });
});

describe("isOpen / nextOpening", () => {
  const cal = buildCalendar(CIQ);
  it.each([
    ["2026-02-09T08:00-05:00", true],
    ["2026-02-09T17:59:59.999-05:00", true],
    ["2026-02-09T18:00-05:00", false],
    ["2026-02-09T07:59-05:00", false],
    ["2026-02-07T12:00-05:00", false], // Saturday
    ["2026-11-26T12:00-05:00", false], // Thanksgiving
    ["2026-07-03T12:00-04:00", true], // Fed open on the Friday before a Saturday holiday
  ] as const)("isOpen(%s) = %s", (at, open) => {
    expect(cal.isOpen(ms(at))).toBe(open);
  });

  it.each([
    ["2026-02-09T10:15-05:00", "2026-02-09T10:15:00-05:00"],
    ["2026-02-09T18:00-05:00", "2026-02-10T08:00:00-05:00"],
    ["2026-02-07T03:00-05:00", "2026-02-09T08:00:00-05:00"],
    ["2026-11-25T19:00-05:00", "2026-11-27T08:00:00-05:00"],
    ["2026-12-31T19:00-05:00", "2027-01-04T08:00:00-05:00"], // across a year end and New Year's Day
  ] as const)("nextOpening(%s) = %s", (at, next) => {
    expect(show(cal.nextOpening(ms(at)), "America/New_York")).toBe(next);
  });
});

describe("between", () => {
  const cal = buildCalendar(CIQ);
  it("counts only open time, skipping weekends and holidays", () => {
    expect(cal.between(ms("2026-11-25T17:00-05:00"), ms("2026-11-30T09:00-05:00"))).toBe(12 * 3_600_000);
    expect(cal.between(ms("2026-02-09T09:00-05:00"), ms("2026-02-09T09:30-05:00"))).toBe(30 * 60_000);
  });
  it("is 0 when the end is not after the start", () => {
    expect(cal.between(ms("2026-02-09T12:00-05:00"), ms("2026-02-09T09:00-05:00"))).toBe(0);
  });
});

describe("calendar shapes", () => {
  it("skips a lunch break", () => {
    const cal = buildCalendar({ zone: "UTC", week: { mon: [{ from: "13:00", to: "17:00" }, { from: "09:00", to: "12:00" }] }, holidays: [] });
    expect(show(cal.add(ms("2026-02-09T11:00Z"), hours(2)), "UTC")).toBe("2026-02-09T14:00:00Z");
    expect(cal.isOpen(ms("2026-02-09T12:30Z"))).toBe(false);
  });

  it("runs an evening shift through midnight with 24:00", () => {
    const cal = buildCalendar({ zone: "UTC+05:30", week: { mon: [{ from: "20:00", to: "24:00" }], tue: [{ from: "00:00", to: "04:00" }] }, holidays: [] });
    expect(show(cal.add(ms("2026-02-09T23:00+05:30"), hours(2)), "UTC+05:30")).toBe("2026-02-10T01:00:00+05:30");
  });

  it("closes on explicit closed dates", () => {
    const cal = buildCalendar({ ...VANTIQ, closedDates: ["2026-02-09"] });
    expect(show(cal.add(ms("2026-02-06T16:00-08:00"), hours(4)), VANTIQ.zone)).toBe("2026-02-10T10:00:00-08:00");
  });

  it("adds days on uneven days as the same offset into the Nth open day, clamped to its close", () => {
    const week = { ...weekdays("09:00", "18:00"), fri: [{ from: "09:00", to: "15:00" }] };
    const cal = buildCalendar({ zone: "UTC", week, holidays: [] });
    expect(show(cal.add(ms("2026-02-12T17:00Z"), days(1)), "UTC")).toBe("2026-02-13T15:00:00Z"); // Thu 8h in → Fri close
    expect(show(cal.add(ms("2026-02-13T11:00Z"), days(1)), "UTC")).toBe("2026-02-16T11:00:00Z"); // Fri 2h in → Mon 2h in
    expect(() => cal.add(0, days(1.5))).toThrow(/whole/);
  });

  it("grows its tables for queries outside the built years", () => {
    const cal = buildCalendar(CIQ, { fromYear: 2026, toYear: 2026 });
    expect(show(cal.add(ms("2026-12-31T17:00-05:00"), hours(2)), CIQ.zone)).toBe("2027-01-04T09:00:00-05:00");
    expect(cal.isOpen(ms("2031-11-27T10:00-05:00"))).toBe(false); // Thanksgiving 2031
    expect(cal.isOpen(ms("2019-03-05T10:00-05:00"))).toBe(true);
    expect(show(cal.add(ms("2026-02-09T08:00-05:00"), days(500)), CIQ.zone)).toBe("2028-02-02T18:00:00-05:00"); // close of the 500th open day
  });
});

describe("invalid specs and inputs", () => {
  it("names the field at fault", () => {
    expect(() => buildCalendar({ zone: "Mars/Olympus", week: "24x7", holidays: [] })).toThrow(/zone: "Mars\/Olympus"/);
    expect(() => buildCalendar({ ...VANTIQ, week: { mon: [{ from: "18:00", to: "08:00" }] } })).toThrow(/week\.mon\[0\]/);
    expect(() => buildCalendar({ ...VANTIQ, week: { mon: [{ from: "8:00", to: "18:00" }] } })).toThrow(/week\.mon\[0\]\.from/);
    expect(() => buildCalendar({ ...VANTIQ, holidays: ["uk-bank"] })).toThrow(/holidays\[0\]: unknown holiday set "uk-bank"/);
    expect(() => buildCalendar({ ...VANTIQ, closedDates: ["2026-02-30"] })).toThrow(/closedDates\[0\]/);
    expect(() => buildCalendar({ ...VANTIQ, week: {} })).toThrow(/no open hours/);
  });
  it("rejects negative durations and non-finite instants", () => {
    const cal = buildCalendar(VANTIQ);
    expect(() => cal.add(ms("2026-02-09T10:00-08:00"), hours(-1))).toThrow(/non-negative/);
    expect(() => cal.isOpen(Number.NaN)).toThrow(/finite/);
  });
});
