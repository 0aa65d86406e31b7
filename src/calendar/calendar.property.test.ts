import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DateTime, FixedOffsetZone } from "luxon";
import { buildCalendar } from "./calendar.js";
import { parseInstant } from "./format.js";
import { CIQ_NEW_YORK, KONNEQT_BASIC, KONNEQT_ENTERPRISE, VANTIQ, weekdays } from "../../harness/calendar/sample-specs.js";
import type { CalendarSpec } from "./types.js";

const SPECS: Record<string, CalendarSpec> = {
  VANTIQ,
  CIQ_NEW_YORK,
  KONNEQT_ENTERPRISE,
  KONNEQT_BASIC,
  lunchBreakLondon: {
    zone: "Europe/London",
    week: { ...weekdays("09:00", "12:30"), mon: [{ from: "09:00", to: "12:30" }, { from: "13:30", to: "17:00" }], sat: [{ from: "10:00", to: "14:00" }] },
    holidays: ["us-federal"],
    closedDates: ["2026-12-24", "2027-12-24"],
  },
  nightShiftNewYork: { zone: "America/New_York", week: { sat: [{ from: "00:00", to: "24:00" }], sun: [{ from: "00:00", to: "03:30" }] }, holidays: [] },
  always: { zone: "America/Los_Angeles", week: "24x7", holidays: [] },
};
const CALENDARS = Object.fromEntries(Object.entries(SPECS).map(([k, s]) => [k, buildCalendar(s, { fromYear: 2025, toYear: 2028 })]));

const calendarName = fc.constantFrom(...Object.keys(CALENDARS));
/** Any millisecond in 2026–2027, written as epoch ms. */
const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) });
const minutes = fc.integer({ min: 0, max: 40 * 60 * 10 });
const cal = (name: string) => CALENDARS[name]!;
const MIN = 60_000;

describe("business calendar properties", () => {
  it("due is never before the start nor before the next opening", () => {
    fc.assert(
      fc.property(calendarName, instant, minutes, fc.integer({ min: 0, max: 30 }), (name, s, m, d) => {
        const c = cal(name);
        const open = c.nextOpening(s);
        expect(open).toBeGreaterThanOrEqual(s);
        expect(c.add(s, { unit: "minutes", amount: m })).toBeGreaterThanOrEqual(open);
        expect(c.add(s, { unit: "days", amount: d })).toBeGreaterThanOrEqual(open);
      }),
      { numRuns: 2000 },
    );
  });

  it("adding a then b equals adding a + b (b > 0; adding 0 only moves to the next opening)", () => {
    fc.assert(
      fc.property(calendarName, instant, minutes, minutes.map((b) => b + 1), (name, s, a, b) => {
        const c = cal(name);
        const twoSteps = c.add(c.add(s, { unit: "minutes", amount: a }), { unit: "minutes", amount: b });
        expect(twoSteps).toBe(c.add(s, { unit: "minutes", amount: a + b }));
      }),
      { numRuns: 2000 },
    );
  });

  it("the open time between the clock start and start + d is d", () => {
    fc.assert(
      fc.property(calendarName, instant, minutes, (name, s, m) => {
        const c = cal(name);
        expect(c.between(c.nextOpening(s), c.add(s, { unit: "minutes", amount: m }))).toBe(m * MIN);
      }),
      { numRuns: 2000 },
    );
  });

  it("the next opening is open, and no open time passes before it", () => {
    fc.assert(
      fc.property(calendarName, instant, (name, s) => {
        const c = cal(name);
        const open = c.nextOpening(s);
        expect(c.isOpen(open)).toBe(true);
        expect(c.between(s, open)).toBe(0);
        expect(c.isOpen(s)).toBe(open === s);
      }),
      { numRuns: 2000 },
    );
  });

  it("open time between instants is additive", () => {
    fc.assert(
      fc.property(calendarName, fc.array(instant, { minLength: 3, maxLength: 3 }), (name, xs) => {
        const [a, b, c] = [...xs].sort((x, y) => x - y) as [number, number, number];
        const k = cal(name);
        expect(k.between(a, b) + k.between(b, c)).toBe(k.between(a, c));
      }),
      { numRuns: 1000 },
    );
  });

  it("results do not depend on the offset the start instant is written in", () => {
    const offset = fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15);
    fc.assert(
      fc.property(calendarName, instant, minutes, offset, offset, (name, s, m, o1, o2) => {
        const c = cal(name);
        const write = (o: number) => DateTime.fromMillis(s, { zone: FixedOffsetZone.instance(o) }).toISO()!;
        // The fallback zone only applies to text without an offset, so it must not matter here.
        const s1 = parseInstant(write(o1), "America/Los_Angeles");
        const s2 = parseInstant(write(o2), "UTC+05:30");
        expect(s1).toBe(s);
        expect(s2).toBe(s);
        expect(c.add(s1, { unit: "minutes", amount: m })).toBe(c.add(s2, { unit: "minutes", amount: m }));
      }),
      { numRuns: 1000 },
    );
  });
});
