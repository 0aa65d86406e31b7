import { describe, expect, it } from "vitest";
import { parseSearchFilter } from "./case-search-filter.js";

describe("parseSearchFilter", () => {
  it("reads every flag into the filter; pages count from 1", () => {
    const parsed = parseSearchFilter({
      org: "Acme", status: "open, waiting", severity: "P1", policy: "vantiq", assignee: "Alice@Vendor.example", breached: true,
      dueBefore: "2026-11-24T17:00:00+01:00", text: " heap dump ", limit: "20", page: "3",
    });
    expect(parsed).toEqual({
      ok: true,
      filter: {
        organization: "Acme", statuses: ["open", "waiting"], severity: "P1", policy: "vantiq", assignee: "alice@vendor.example", breached: true,
        dueBefore: Date.parse("2026-11-24T16:00:00Z"), text: "heap dump", limit: 20, offset: 40,
      },
    });
    expect(parseSearchFilter({})).toEqual({ ok: true, filter: { limit: 50, offset: 0 } });
  });

  it.each([
    [{ status: "pending" }, '--status: unknown status "pending"'],
    [{ dueBefore: "2026-11-24T17:00:00" }, '--due-before: "2026-11-24T17:00:00" is not an ISO 8601 instant with an offset'],
    [{ dueBefore: "tomorrow" }, "--due-before"],
    [{ limit: "0" }, '--limit: "0" is not a whole number from 1 to 500'],
    [{ limit: "501" }, "--limit"],
    [{ page: "-1" }, '--page: "-1"'],
  ])("refuses %j naming the flag", (raw, message) => {
    const parsed = parseSearchFilter(raw);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });
});
