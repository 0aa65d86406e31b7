import { describe, expect, it } from "vitest";
import { readCookie, sessionCookie, signSession, tokenHash, verifySession } from "./session.js";

const KEY = "k".repeat(32);
const NOW = Date.parse("2026-11-10T17:00:00Z");

describe("board sessions", () => {
  it("verifies its own cookie until it expires", () => {
    const value = signSession(KEY, 7, NOW + 60_000);
    expect(verifySession(KEY, value, NOW)).toBe(7);
    expect(verifySession(KEY, value, NOW + 60_000)).toBeNull();
  });

  it.each([
    ["another key", (v: string) => v, "x".repeat(32)],
    ["a changed staff id", (v: string) => v.replace(/^7\./, "8."), KEY],
    ["a stretched expiry", (v: string) => v.replace(/\.\d+\./, `.${NOW + 10 ** 9}.`), KEY],
    ["garbage", () => "7.1.abc", KEY],
    ["nothing", () => "", KEY],
  ])("refuses %s", (_label, change, key) => {
    expect(verifySession(key, change(signSession(KEY, 7, NOW + 60_000)), NOW)).toBeNull();
  });

  it("sets HttpOnly, SameSite=Strict, Path=/board, Secure only over https", () => {
    expect(sessionCookie("v", 60, false)).toBe("board_session=v; Path=/board; HttpOnly; SameSite=Strict; Max-Age=60");
    expect(sessionCookie("v", 60, true)).toContain("; Secure");
  });

  it("reads one cookie among several and hashes tokens", () => {
    expect(readCookie("a=1; board_session=x.y=z; b=2", "board_session")).toBe("x.y=z");
    expect(readCookie(undefined, "board_session")).toBeUndefined();
    expect(tokenHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
