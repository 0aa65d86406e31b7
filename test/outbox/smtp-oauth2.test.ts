/**
 * SMTP AUTH XOAUTH2 against a real smtp-server that accepts only tokens the local authorization
 * server issued and has not revoked. The tokens come from the `command` provider: a program that
 * asks the token endpoint and prints its JSON answer, as an operator's script would.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import { commandProvider } from "../../src/auth/command.js";
import { TokenCache, type OAuth2Login } from "../../src/auth/token.js";
import { ManualClock } from "../../src/clock/clock.js";
import { createSmtpSender, type OutgoingMail } from "../../src/outbox/sender.js";
import { startOAuthServer, type OAuthTestServer } from "../support/oauth-server.js";

const mail: OutgoingMail = {
  kind: "acknowledgment",
  caseNumber: 7,
  from: "support@vendor.example",
  to: ["dana@customer.example"],
  cc: [],
  replyTo: null,
  subject: "[Case #7] received",
  messageId: "ack-7@support.vendor.example",
  inReplyTo: null,
  references: [],
  headers: {},
  text: "We have your request.",
  html: null,
  attachments: [],
  date: Date.parse("2026-12-04T10:00:00Z"),
};

describe("SMTP AUTH XOAUTH2", () => {
  let oauth: OAuthTestServer;
  let smtp: SMTPServer;
  let port = 0;
  const accepted: string[] = [];
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    oauth = await startOAuthServer({ username: "support@vendor.example" });
    smtp = new SMTPServer({
      authMethods: ["XOAUTH2"],
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth(auth, _session, callback) {
        const token = auth.accessToken ?? "";
        const good = auth.method === "XOAUTH2" && auth.username === oauth.username && oauth.issued.includes(token) && !revokedTokens.has(token);
        if (good) return callback(null, { user: auth.username });
        callback(null, { data: { status: "401", schemes: "bearer", scope: "https://mail.google.com/" } });
      },
      onData(stream, session, callback) {
        stream.resume();
        stream.on("end", () => {
          accepted.push(session.envelope.rcptTo.map((r) => r.address).join(","));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await oauth.stop();
  });
  const revokedTokens = new Set<string>();

  const login = (): OAuth2Login => ({
    user: "support@vendor.example",
    tokens: new TokenCache(
      commandProvider({
        command: [process.execPath, "-e", `fetch(${JSON.stringify(`${oauth.url}/token`)}, { method: "POST" }).then((r) => r.text()).then((t) => process.stdout.write(t))`],
        timeoutSeconds: 20,
        tokenLifetimeSeconds: 300,
        clock,
      }),
      clock,
    ),
  });

  it("sends with the command's token, and renews once when the server refuses the cached one", async () => {
    const auth = login();
    const first = createSmtpSender({ host: "127.0.0.1", port, secure: false, oauth2: auth, pool: false });
    expect(await first.send(mail)).toMatchObject({ status: "sent" });
    await first.close();
    const cached = oauth.issued.at(-1)!;
    revokedTokens.add(cached);

    const second = createSmtpSender({ host: "127.0.0.1", port, secure: false, oauth2: auth, pool: false });
    const result = await second.send(mail);
    await second.close();
    expect(result).toMatchObject({ status: "sent" });
    expect(auth.tokens.fetches).toBe(2);
    expect(accepted).toHaveLength(2);
    expect(JSON.stringify(result)).not.toContain(oauth.issued.at(-1)!);
  });

  it("a token refused even after renewal is a temporary failure naming SMTP AUTH, without the token", async () => {
    const auth = login();
    const saved = oauth.username;
    oauth.username = "someone-else@vendor.example";
    const sender = createSmtpSender({ host: "127.0.0.1", port, secure: false, oauth2: auth, pool: false });
    try {
      const result = await sender.send(mail);
      expect(result).toMatchObject({ status: "temporary", error: expect.stringMatching(/^smtp: SMTP AUTH \(XOAUTH2\) as support@vendor\.example at 127\.0\.0\.1 refused a renewed access token from command /) });
      expect(auth.tokens.fetches).toBe(2);
      for (const token of oauth.issued) expect(JSON.stringify(result)).not.toContain(token);
    } finally {
      oauth.username = saved;
      await sender.close();
    }
  });

  it("a token endpoint that is down is a temporary failure naming the token endpoint", async () => {
    oauth.failWithStatus = 503;
    const sender = createSmtpSender({ host: "127.0.0.1", port, secure: false, oauth2: login(), pool: false });
    try {
      const result = await sender.send(mail);
      expect(result).toMatchObject({ status: "temporary", error: expect.stringMatching(/^smtp: token endpoint: command .* must print one token/) });
    } finally {
      oauth.failWithStatus = null;
      await sender.close();
    }
  });
});
