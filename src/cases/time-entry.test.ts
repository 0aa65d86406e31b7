import { describe, expect, it } from "vitest";
import { formatMinutes, parseTimeSpent } from "./time-entry.js";

describe("#time values", () => {
  it.each([
    ["1h30m", { minutes: 90, counts: true }],
    ["45m", { minutes: 45, counts: true }],
    ["2h", { minutes: 120, counts: true }],
    ["1.5h", { minutes: 90, counts: true }],
    ["-30m", { minutes: -30, counts: true }],
    ["3h nocount", { minutes: 180, counts: false }],
    ["3h NOCOUNT", { minutes: 180, counts: false }],
  ])("%s", (value, expected) => expect(parseTimeSpent(value)).toEqual(expected));

  it.each([
    ["", /needs a duration/],
    ["soon", /"soon" is not a duration/],
    ["0m", /no time at all/],
    ["1h maybe", /optionally "nocount"/],
    ["90", /not a duration/],
  ])("rejects %j", (value, reason) => expect(parseTimeSpent(value)).toEqual({ reason: expect.stringMatching(reason) }));

  it("formats minutes back", () => expect([90, -30, 120, 5].map(formatMinutes)).toEqual(["1h30m", "-30m", "2h", "5m"]));
});
