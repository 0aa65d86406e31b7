import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["30 minutes", { unit: "minutes", amount: 30 }],
    ["1 hour", { unit: "minutes", amount: 60 }],
    ["1 hours", { unit: "minutes", amount: 60 }],
    ["4 business hours", { unit: "minutes", amount: 240 }],
    ["48 hours", { unit: "minutes", amount: 2880 }],
    ["1 Business Day", { unit: "days", amount: 1 }],
    ["1 Business Days", { unit: "days", amount: 1 }],
    ["2 business days", { unit: "days", amount: 2 }],
    ["1 business week", { unit: "days", amount: 5 }],
    ["2 Business Weeks", { unit: "days", amount: 10 }],
  ])("%s", (text, duration) => {
    expect(parseDuration(text)).toMatchObject({ ok: true, duration });
  });

  it.each(["72 Business Week hours", "2 days", "soon", "0 hours", "1.5 business days", "-4 hours"])("rejects %s", (text) => {
    expect(parseDuration(text).ok).toBe(false);
  });
});
