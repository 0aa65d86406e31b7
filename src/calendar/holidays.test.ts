import { describe, expect, it } from "vitest";
import { HOLIDAY_SETS, holidays } from "./holidays.js";
import { daysFromCivil, isoDate, parseIsoDate, weekdayOfDays } from "./civil.js";

const dates = (set: string, year: number) => holidays(set, year).map((h) => h.date);

describe("civil date arithmetic", () => {
  it("round-trips dates and knows weekdays", () => {
    expect(isoDate(daysFromCivil(2026, 11, 26))).toBe("2026-11-26");
    expect(weekdayOfDays(daysFromCivil(2026, 7, 4))).toBe(6); // Saturday
    expect(weekdayOfDays(daysFromCivil(2022, 12, 25))).toBe(0); // Sunday
    expect(parseIsoDate("2024-02-29")).toBe(daysFromCivil(2024, 2, 29));
    expect(parseIsoDate("2026-02-29")).toBeUndefined();
    expect(parseIsoDate("2026-2-1")).toBeUndefined();
  });
});

describe("us-federal-reserve", () => {
  it("lists the 2026 Federal Reserve holidays", () => {
    expect(holidays("us-federal-reserve", 2026)).toEqual([
      { date: "2026-01-01", name: "New Year's Day" },
      { date: "2026-01-19", name: "Birthday of Martin Luther King, Jr." },
      { date: "2026-02-16", name: "Washington's Birthday" },
      { date: "2026-05-25", name: "Memorial Day" },
      { date: "2026-06-19", name: "Juneteenth National Independence Day" },
      { date: "2026-07-04", name: "Independence Day" },
      { date: "2026-09-07", name: "Labor Day" },
      { date: "2026-10-12", name: "Columbus Day" },
      { date: "2026-11-11", name: "Veterans Day" },
      { date: "2026-11-26", name: "Thanksgiving Day" },
      { date: "2026-12-25", name: "Christmas Day" },
    ]);
  });

  it("does not move a Saturday holiday: 3 July 2026 is a business day", () => {
    expect(dates("us-federal-reserve", 2026)).not.toContain("2026-07-03");
  });

  it("observes a Sunday holiday on Monday (Christmas 2022)", () => {
    expect(dates("us-federal-reserve", 2022)).toContain("2022-12-26");
    expect(dates("us-federal-reserve", 2022)).not.toContain("2022-12-25");
  });

  it("does not observe New Year 2022 (a Saturday) on Friday 31 Dec 2021", () => {
    expect(dates("us-federal-reserve", 2021)).not.toContain("2021-12-31");
    expect(dates("us-federal-reserve", 2022)).toContain("2022-01-01");
  });

  it("has Juneteenth from 2022 only", () => {
    expect(dates("us-federal-reserve", 2021)).not.toContain("2021-06-18");
    expect(dates("us-federal-reserve", 2021)).not.toContain("2021-06-19");
    expect(dates("us-federal-reserve", 2022)).toContain("2022-06-20"); // Sunday 19th → Monday
  });
});

describe("us-federal", () => {
  it("moves Independence Day 2026 (Saturday) to Friday 3 July", () => {
    const h = holidays("us-federal", 2026);
    expect(h).toContainEqual({ date: "2026-07-03", name: "Independence Day (observed)" });
    expect(dates("us-federal", 2026)).not.toContain("2026-07-04");
    expect(dates("us-federal", 2026)).toContain("2026-11-26");
  });

  it("observes Christmas 2022 (Sunday) on Monday 26 December", () => {
    expect(dates("us-federal", 2022)).toContain("2022-12-26");
  });

  it("observes New Year 2022 (Saturday) on Friday 31 December 2021, listed under 2021", () => {
    expect(holidays("us-federal", 2021)).toContainEqual({ date: "2021-12-31", name: "New Year's Day (observed)" });
    expect(dates("us-federal", 2022)[0]).toBe("2022-01-17");
  });

  it("has Juneteenth from 2021 (observed Friday 18 June 2021)", () => {
    expect(dates("us-federal", 2020)).not.toContain("2020-06-19");
    expect(dates("us-federal", 2021)).toContain("2021-06-18");
  });

  it("has eleven holidays in a year with no cross-year move, twelve when the next New Year moves back", () => {
    expect(holidays("us-federal", 2026)).toHaveLength(11);
    // 1 January 2028 is a Saturday: observed Friday 31 December 2027.
    expect(holidays("us-federal", 2027)).toHaveLength(12);
    expect(holidays("us-federal", 2027).at(-1)).toEqual({ date: "2027-12-31", name: "New Year's Day (observed)" });
  });
});

describe("errors", () => {
  it("names the known sets when the set is unknown", () => {
    expect(() => holidays("uk-bank", 2026)).toThrow(/unknown holiday set "uk-bank".*us-federal-reserve, us-federal/);
    expect(HOLIDAY_SETS).toEqual(["us-federal-reserve", "us-federal"]);
  });
});
