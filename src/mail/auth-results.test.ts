import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSenderAuthentication, parseAuthenticationResults } from "./auth-results.js";
import { DEFAULT_PARSE_LIMITS } from "./message.js";
import { parseMessage } from "./parse.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/mail/", import.meta.url));
const parse = (name: string) => parseMessage(readFileSync(FIXTURES + name), DEFAULT_PARSE_LIMITS);
const withAR = (...values: string[]) => ({ headers: { "authentication-results": values } });
const MX = "mx.vendor.example";

describe("parseAuthenticationResults", () => {
  it("reads authserv-id, method results, ignoring comments, properties and a version", () => {
    expect(
      parseAuthenticationResults("MX.Vendor.example 1; dkim=pass (good sig; 2048-bit) header.d=c.example; spf=softfail smtp.mailfrom=c.example; dmarc=fail (p=reject) header.from=c.example"),
    ).toEqual({ authservId: "mx.vendor.example", results: { dkim: ["pass"], spf: ["softfail"], dmarc: ["fail"] } });
  });

  it("'none' and empty values", () => {
    expect(parseAuthenticationResults("mx.vendor.example; none")).toEqual({ authservId: "mx.vendor.example", results: {} });
    expect(parseAuthenticationResults("   ")).toBeNull();
  });
});

describe("checkSenderAuthentication", () => {
  it("no authserv-id configured → not-checked", () => {
    expect(checkSenderAuthentication(withAR(`${MX}; dmarc=fail`), { requireDkimOrSpf: true }).verdict).toBe("not-checked");
  });

  it("the fixture: our topmost header says dmarc=fail; a forged lower 'pass' from the same id is ignored", async () => {
    const r = checkSenderAuthentication(await parse("dmarc-fail-auth-results.eml"), { authservId: MX, requireDkimOrSpf: false });
    expect(r).toEqual({ verdict: "unverified", reason: "mx.vendor.example: dmarc=fail" });
  });

  it("a genuine Gmail-style message from the fixtures is verified", async () => {
    const r = checkSenderAuthentication(await parse("gmail-reply-quoted.eml"), { authservId: MX, requireDkimOrSpf: true });
    expect(r.verdict).toBe("verified");
    expect(r.reason).toContain("dkim=pass");
  });

  it("headers from other authserv-ids do not count (they can be forged)", () => {
    const msg = withAR("mx.attacker.example; dkim=pass; spf=pass; dmarc=pass", `${MX}; dkim=none; spf=fail; dmarc=fail`);
    expect(checkSenderAuthentication(msg, { authservId: MX, requireDkimOrSpf: false }).verdict).toBe("unverified");
    const forgedOnly = withAR(`${MX}.attacker.example; dmarc=fail`);
    expect(checkSenderAuthentication(forgedOnly, { authservId: MX, requireDkimOrSpf: false }).verdict).toBe("not-checked");
  });

  it("no header from our server → unverified only when DKIM/SPF is required", () => {
    expect(checkSenderAuthentication(withAR(), { authservId: MX, requireDkimOrSpf: true }).verdict).toBe("unverified");
    expect(checkSenderAuthentication(withAR(), { authservId: MX, requireDkimOrSpf: false }).verdict).toBe("not-checked");
  });

  it.each([
    ["dkim=pass; spf=fail; dmarc=pass", true, "verified"],
    ["dkim=fail; spf=pass; dmarc=none", true, "verified"],
    ["dkim=fail; spf=softfail; dmarc=none", true, "unverified"],
    ["dkim=fail; spf=softfail; dmarc=none", false, "verified"],
    ["dkim=none", true, "unverified"],
    ["dkim=pass; spf=pass; dmarc=fail", false, "unverified"],
    ["dkim=fail; dkim=pass", true, "verified"],
  ])("%s (require=%s) → %s", (results, requireDkimOrSpf, verdict) => {
    expect(checkSenderAuthentication(withAR(`${MX}; ${results}`), { authservId: MX, requireDkimOrSpf }).verdict).toBe(verdict);
  });
});
