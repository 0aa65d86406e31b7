/**
 * OAuth2 IMAP logins against a real Dovecot whose oauth2 passdb asks a token introspection endpoint
 * served here; the tokens come from google-auth-library's refresh-token grant against the same
 * local authorization server. XOAUTH2 and OAUTHBEARER each on a Dovecot that offers only that one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { googleProvider } from "../../src/auth/google.js";
import { TokenCache, type OAuth2Login } from "../../src/auth/token.js";
import { ManualClock } from "../../src/clock/clock.js";
import { ImapSource } from "../../src/sources/imap.js";
import type { SourceLogger } from "../../src/sources/types.js";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../../harness/dovecot.js";
import { startOAuthServer, type OAuthTestServer } from "../support/oauth-server.js";

const skip = dovecotSkipReason();
const MAIL = "From: dana@customer.example\r\nTo: support@vendor.example\r\nSubject: oauth2 login\r\nMessage-ID: <oauth2-1@customer.example>\r\n\r\nHello\r\n";

/** Every line any level would write, as text, to look for tokens in. */
function recordingLogger(): SourceLogger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (obj: object, msg?: string) => void lines.push(`${level} ${msg ?? ""} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? { ...v, message: v.message } : v))}`);
  return { lines, debug: rec("debug"), info: rec("info"), warn: rec("warn"), error: rec("error") };
}

describe.skipIf(skip)("IMAP with OAuth2 (Dovecot oauth2 passdb)", () => {
  let oauth: OAuthTestServer;
  const dovecots: Record<string, DovecotHarness> = {};
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    oauth = await startOAuthServer({ username: "support" });
    for (const mech of ["xoauth2", "oauthbearer"] as const) {
      dovecots[mech] = await startDovecot({ oauth2: { introspectionUrl: `${oauth.url}/introspect`, mechanisms: [mech] } });
      await dovecots[mech]!.appendMessage(MAIL);
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(dovecots).map((d) => d.stop()));
    await oauth?.stop();
  });

  const login = (): OAuth2Login => ({
    user: "support",
    tokens: new TokenCache(
      googleProvider({ mode: "refreshToken", clientId: "client-1", clientSecret: "client-secret-1", refreshToken: "refresh-token-1", tokenUrl: `${oauth.url}/token` }),
      clock,
    ),
  });
  const source = (d: DovecotHarness, oauth2: OAuth2Login, logger: SourceLogger) =>
    new ImapSource({ name: "support", host: d.host, port: d.port, tls: false, user: "support", oauth2, processedFolder: null, clock, logger });

  it.each(["xoauth2", "oauthbearer"] as const)("logs in with %s and reads the mailbox", async (mech) => {
    oauth.username = "support";
    const log = recordingLogger();
    const auth = login();
    const imap = source(dovecots[mech]!, auth, log);
    try {
      const batch = await imap.fetchBatch(null, 10);
      expect(batch.messages.map((m) => m.raw.toString())).toEqual([expect.stringContaining("Subject: oauth2 login")]);
    } finally {
      await imap.close();
    }
    const token = oauth.issued.at(-1)!;
    expect(oauth.introspected).toContain(token); // Dovecot checked exactly the token the grant issued
    expect(oauth.tokenRequests.at(-1)!.form).toMatchObject({ grant_type: "refresh_token", refresh_token: "refresh-token-1" });
    expect(log.lines.join("\n")).not.toContain(token);
  });

  it("renews a revoked token once and logs in with the new one; the token is in no log line", async () => {
    oauth.username = "support";
    const auth = login();
    const first = source(dovecots.xoauth2!, auth, recordingLogger());
    await first.fetchBatch(null, 10);
    await first.close();
    const revoked = oauth.issued.at(-1)!;
    oauth.revoke(revoked);

    const log = recordingLogger();
    const second = source(dovecots.xoauth2!, auth, log);
    try {
      const batch = await second.fetchBatch(null, 10);
      expect(batch.messages).toHaveLength(1);
    } finally {
      await second.close();
    }
    expect(auth.tokens.fetches).toBe(2);
    expect(oauth.issued.at(-1)).not.toBe(revoked);
    expect(log.lines.some((l) => l.startsWith("warn") && l.includes("IMAP LOGIN") && l.includes("renewing"))).toBe(true);
    const all = log.lines.join("\n");
    expect(all).not.toContain(revoked);
    expect(all).not.toContain(oauth.issued.at(-1)!);
  });

  it("when the renewed token is refused too, says which mailbox and that IMAP LOGIN failed, without the token", async () => {
    oauth.username = "someone-else"; // tokens are valid but for another user: Dovecot refuses every one
    const log = recordingLogger();
    const auth = login();
    const imap = source(dovecots.oauthbearer!, auth, log);
    const error = await imap.fetchBatch(null, 10).then(
      () => null,
      (e: Error & { code?: string; retryable?: boolean }) => e,
    );
    await imap.close();
    expect(error).toMatchObject({ code: "E_IMAP_AUTH", retryable: false });
    expect(error!.message).toMatch(/^mailbox "support": IMAP LOGIN \(OAuth2\) as support .* refused a renewed access token from google/);
    expect(auth.tokens.fetches).toBe(2);
    for (const token of oauth.issued) {
      expect(error!.message).not.toContain(token);
      expect(log.lines.join("\n")).not.toContain(token);
    }
  });

  it("when the token endpoint refuses the grant, says which mailbox and that the token endpoint failed", async () => {
    oauth.username = "support";
    oauth.refuseWith = "invalid_grant";
    const log = recordingLogger();
    const imap = source(dovecots.xoauth2!, login(), log);
    try {
      const error = await imap.fetchBatch(null, 10).then(
        () => null,
        (e: Error & { code?: string; retryable?: boolean }) => e,
      );
      expect(error).toMatchObject({ code: "E_IMAP_OAUTH_TOKEN", retryable: false });
      expect(error!.message).toMatch(/^mailbox "support": token endpoint: token endpoint of google \(OAuth client client-1, refresh token\) refused: invalid_grant/);
      expect(error!.message).not.toContain("refresh-token-1");
      expect(error!.message).not.toContain("client-secret-1");
      expect(log.lines.join("\n")).not.toContain("refresh-token-1");
    } finally {
      oauth.refuseWith = null;
      await imap.close();
    }
  });
});
