import { describe, expect, it } from "vitest";
import { contractStateAt, contractYear, contractYearAt, termIssues, termState, type ContractTerm } from "./term.js";

const at = (iso: string) => Date.parse(iso);
const MSK = "Europe/Moscow";

describe("contract term", () => {
  const term: ContractTerm = { start: "2025-03-01", end: "2027-02-28" };

  it.each([
    ["2025-02-28T20:59:59Z", "not-started"], // 23:59:59 Moscow, the day before the start
    ["2025-02-28T21:00:00Z", "active"], // local midnight of the first day
    ["2027-02-28T20:59:59Z", "active"], // the last day is inside the term
    ["2027-02-28T21:00:00Z", "ended"], // the next local midnight
  ])("at %s the term is %s (days in the organization's zone)", (iso, state) => {
    expect(termState(term, at(iso), MSK)).toBe(state);
  });

  it("an open-ended term never ends; no term at all is always active", () => {
    expect(termState({ start: "2020-01-01", end: null }, at("2099-01-01T00:00:00Z"), MSK)).toBe("active");
    expect(termState(null, at("2000-01-01T00:00:00Z"), MSK)).toBe("active");
  });

  it("contract years run from anniversary to anniversary of the start", () => {
    expect(contractYearAt(term, at("2025-02-28T20:59:59Z"), MSK)).toBeNull();
    const y1 = contractYearAt(term, at("2025-03-01T00:00:00Z"), MSK)!;
    expect([y1.number, y1.firstDay, y1.lastDay]).toEqual([1, "2025-03-01", "2026-02-28"]);
    expect(contractYearAt(term, at("2026-02-28T20:59:59Z"), MSK)!.number).toBe(1);
    const y2 = contractYearAt(term, at("2026-02-28T21:00:00Z"), MSK)!;
    expect([y2.number, y2.firstDay, y2.lastDay]).toEqual([2, "2026-03-01", "2027-02-28"]);
    expect(y2.start).toBe(y1.end);
    expect(contractYear(term, 3, MSK).firstDay).toBe("2027-03-01");
  });

  it("a leap-day start has its anniversary on 28 February in common years", () => {
    const leap = { start: "2024-02-29", end: null };
    expect(contractYear(leap, 2, "UTC").firstDay).toBe("2025-02-28");
    expect(contractYearAt(leap, at("2025-02-28T12:00:00Z"), "UTC")!.number).toBe(2);
  });

  it("validates real dates and an end after the start", () => {
    expect(termIssues("2025-02-30", null)).toEqual([{ path: "start", message: '"2025-02-30" is not a real date written YYYY-MM-DD' }]);
    expect(termIssues("2025-03-01", "2025-03-01")[0]!.message).toBe("the end (2025-03-01) must be after the start (2025-03-01)");
    expect(termIssues(null, "2025-03-01")[0]!.message).toBe("a contract with an end needs a start");
    expect(termIssues("2025-03-01", null)).toEqual([]);
  });

  it("states itself for JSON views", () => {
    expect(contractStateAt(term, at("2026-06-01T00:00:00Z"), MSK)).toEqual({ active: true, state: "active", start: "2025-03-01", end: "2027-02-28", year: 2 });
    expect(contractStateAt(null, at("2026-06-01T00:00:00Z"), MSK)).toEqual({ active: true, state: "active", start: null, end: null, year: null });
  });
});
