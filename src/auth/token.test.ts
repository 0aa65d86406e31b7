import { describe, expect, it } from "vitest";
import { parseTokenOutput } from "./command.js";
import { isFresh, scrubSecrets } from "./token.js";

const T0 = Date.parse("2026-12-04T10:00:00Z");
const HOUR = 3_600_000;

describe("isFresh", () => {
  it.each([
    ["nothing cached", null, T0, false],
    ["an hour-long token, just fetched", { fetchedAt: T0, expiresAt: T0 + HOUR }, T0, true],
    ["6 min before expiry", { fetchedAt: T0, expiresAt: T0 + HOUR }, T0 + HOUR - 6 * 60_000, true],
    ["5 min before expiry: renew", { fetchedAt: T0, expiresAt: T0 + HOUR }, T0 + HOUR - 5 * 60_000, false],
    ["a 4-min token is renewed half-way", { fetchedAt: T0, expiresAt: T0 + 240_000 }, T0 + 120_000, false],
    ["a 4-min token before half-way", { fetchedAt: T0, expiresAt: T0 + 240_000 }, T0 + 119_000, true],
  ])("%s", (_what, cached, now, fresh) => {
    expect(isFresh(cached, now, 5 * 60_000)).toBe(fresh);
  });
});

describe("parseTokenOutput", () => {
  it("takes a bare token for the configured lifetime", () => {
    expect(parseTokenOutput("ya29.abc\n", T0, 300)).toEqual({ token: "ya29.abc", expiresAt: T0 + 300_000 });
  });
  it("takes the token endpoint's JSON with its expires_in", () => {
    expect(parseTokenOutput('{"access_token":"eyJ0","expires_in":3599,"token_type":"Bearer"}', T0, 300)).toEqual({ token: "eyJ0", expiresAt: T0 + 3_599_000 });
  });
  it.each([["two lines\nof text"], ['{"error":"invalid_grant"}'], ["{not json"], [""]])("refuses %j without echoing it", (out) => {
    expect(() => parseTokenOutput(out, T0, 300)).toThrow(expect.objectContaining({ code: "E_OAUTH_REFUSED", retryable: false }));
  });
});

describe("scrubSecrets", () => {
  it("hides bearer tokens, form secrets and known values", () => {
    expect(scrubSecrets("auth=Bearer eyJabc.def-ghi then refresh_token=1//0gxyz&client_secret=s3cr3t", "known-token-123")).toBe(
      "auth=Bearer [token] then refresh_token=[redacted]&client_secret=[redacted]",
    );
    expect(scrubSecrets("server said known-token-123 is bad", "known-token-123")).toBe("server said [token] is bad");
  });
});
