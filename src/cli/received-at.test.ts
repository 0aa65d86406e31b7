import { describe, expect, it } from "vitest";
import { parseReceivedAt } from "./received-at.js";

describe("parseReceivedAt", () => {
  it.each([
    ["2026-11-10T09:00:00-08:00", "2026-11-10T17:00:00.000Z"],
    ["2026-11-10T17:00:00Z", "2026-11-10T17:00:00.000Z"],
    ["Tue, 10 Nov 2026 09:00:00 -0800", "2026-11-10T17:00:00.000Z"],
  ])("%s", (text, iso) => {
    const parsed = parseReceivedAt(text);
    expect(parsed.ok && new Date(parsed.at).toISOString()).toBe(iso);
  });

  it.each(["2026-11-10T09:00:00", "yesterday", ""])("refuses %j: no instant without an offset", (text) => {
    expect(parseReceivedAt(text)).toMatchObject({ ok: false, message: expect.stringContaining("--received-at") });
  });
});
