/**
 * The token providers against a local authorization server speaking the token endpoint: Microsoft
 * (msal-node, client secret and certificate, over HTTPS as MSAL requires, with its OpenID metadata),
 * Google (service account JWT with the mailbox user as subject), expiry and renewal on the clock,
 * a revoked grant, an outage.
 */
import { execFileSync } from "node:child_process";
import { constants, createPublicKey, createVerify, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { googleProvider } from "../../src/auth/google.js";
import { microsoftProvider } from "../../src/auth/microsoft.js";
import { TokenCache } from "../../src/auth/token.js";
import { ManualClock } from "../../src/clock/clock.js";
import { startOAuthServer, type OAuthTestServer } from "../support/oauth-server.js";

/** A self-signed certificate and key for 127.0.0.1 (TLS server, and the Microsoft app's credential). */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const [cert, key] = [join(dir, `${name}.pem`), join(dir, `${name}.key`)];
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  return { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
}

function jwtParts(jwt: string) {
  const [h, p, s] = jwt.split(".");
  return { header: JSON.parse(Buffer.from(h!, "base64url").toString()), payload: JSON.parse(Buffer.from(p!, "base64url").toString()), signed: `${h}.${p}`, signature: Buffer.from(s!, "base64url") };
}

/** RS256 (Google) or PS256 (MSAL with a SHA-256 thumbprint), as the header says. */
const verifies = (jwt: string, publicPem: string) => {
  const { header, signed, signature } = jwtParts(jwt);
  const key = createPublicKey(publicPem);
  const pss = header.alg === "PS256" ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {};
  return createVerify("RSA-SHA256").update(signed).verify({ key, ...pss }, signature);
};

describe("token providers", () => {
  const dir = mkdtempSync(join(tmpdir(), "oauth2-test-"));
  const tls = selfSigned(dir, "server");
  const app = selfSigned(dir, "app");
  let https: OAuthTestServer;
  let http: OAuthTestServer;
  let previous: Dispatcher;

  beforeAll(async () => {
    // MSAL only talks HTTPS: this process trusts the test server's certificate, nothing else changes.
    previous = getGlobalDispatcher();
    setGlobalDispatcher(new Agent({ connect: { ca: tls.cert } }));
    https = await startOAuthServer({ username: "support", tls });
    http = await startOAuthServer({ username: "support" });
  });
  afterAll(async () => {
    setGlobalDispatcher(previous);
    await https.stop();
    await http.stop();
  });

  it("microsoft: client credentials with a secret, from the tenant's token endpoint found in its metadata", async () => {
    const provider = microsoftProvider({ tenantId: "tenant-1", clientId: "app-1", clientSecret: "secret-1", authorityHost: https.url });
    const token = await provider.fetch();
    expect(token.token).toBe(https.issued.at(-1));
    expect(https.tokenRequests.at(-1)).toMatchObject({
      path: "/tenant-1/oauth2/v2.0/token",
      form: { grant_type: "client_credentials", client_id: "app-1", client_secret: "secret-1", scope: "https://outlook.office365.com/.default" },
    });
  });

  it("microsoft: client credentials with a certificate: a signed assertion naming the certificate", async () => {
    const provider = microsoftProvider({ tenantId: "tenant-1", clientId: "app-1", certificate: { certificatePem: app.cert, privateKeyPem: app.key }, authorityHost: https.url });
    await provider.fetch();
    const form = https.tokenRequests.at(-1)!.form;
    expect(form.client_assertion_type).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    expect(form.client_secret).toBeUndefined();
    expect(verifies(form.client_assertion!, app.cert)).toBe(true);
    const { header, payload } = jwtParts(form.client_assertion!);
    expect(payload).toMatchObject({ iss: "app-1", sub: "app-1" });
    const thumbprint = Buffer.from(new X509Certificate(app.cert).fingerprint256.replace(/:/g, ""), "hex").toString("base64url");
    expect(header["x5t#S256"]).toBe(thumbprint);
  });

  it("microsoft: a refused secret says the provider and the server's words, not the secret", async () => {
    https.refuseWith = "invalid_client";
    try {
      const provider = microsoftProvider({ tenantId: "tenant-1", clientId: "app-1", clientSecret: "secret-1", authorityHost: https.url });
      const error = await provider.fetch().catch((e: Error) => e);
      expect(error).toMatchObject({ code: "E_OAUTH_REFUSED", retryable: false });
      expect((error as Error).message).toMatch(/^token endpoint of microsoft \(tenant tenant-1, client app-1\) refused: invalid_client/);
      expect((error as Error).message).not.toContain("secret-1");
    } finally {
      https.refuseWith = null;
    }
  });

  it("google: a service account's signed assertion acts as the mailbox user, posted to the key's token_uri", async () => {
    const provider = googleProvider({
      mode: "serviceAccount",
      key: { client_email: "desk@project.iam.gserviceaccount.com", private_key: app.key, token_uri: `${http.url}/token` },
      subject: "support@vendor.example",
    });
    const token = await provider.fetch();
    expect(token.token).toBe(http.issued.at(-1));
    const form = http.tokenRequests.at(-1)!.form;
    expect(form.grant_type).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(verifies(form.assertion!, app.cert)).toBe(true);
    expect(jwtParts(form.assertion!).payload).toMatchObject({ iss: "desk@project.iam.gserviceaccount.com", sub: "support@vendor.example", scope: "https://mail.google.com/" });
  });

  it("the cache hands out one token until shortly before expiry, then renews; renew() forces a new one", async () => {
    const clock = new ManualClock(Date.now());
    http.expiresInSeconds = 3600;
    const cache = new TokenCache(googleProvider({ mode: "refreshToken", clientId: "c", clientSecret: "s", refreshToken: "r", tokenUrl: `${http.url}/token` }), clock, 300_000);
    const first = await cache.get();
    clock.advance(3600_000 - 300_000 - 5_000); // 5 s before the renewal point: still the same token
    expect(await cache.get()).toBe(first);
    clock.advance(10_000); // past it, 4 min 55 s before expiry
    const second = await cache.get();
    expect(second).not.toBe(first);
    expect(await cache.renew()).not.toBe(second);
    expect(cache.fetches).toBe(3);
  });

  it("a revoked grant is refused (not retryable); an outage is retryable", async () => {
    const provider = googleProvider({ mode: "refreshToken", clientId: "c", clientSecret: "s", refreshToken: "revoked-refresh", tokenUrl: `${http.url}/token` });
    http.refuseWith = "invalid_grant";
    try {
      await expect(provider.fetch()).rejects.toMatchObject({ code: "E_OAUTH_REFUSED", retryable: false, message: expect.stringContaining("invalid_grant") });
    } finally {
      http.refuseWith = null;
    }
    http.failWithStatus = 400 + 103; // 503
    try {
      const error = await provider.fetch().catch((e: Error) => e);
      expect(error).toMatchObject({ code: "E_OAUTH_UNAVAILABLE", retryable: true });
      expect((error as Error).message).not.toContain("revoked-refresh");
    } finally {
      http.failWithStatus = null;
    }
  });
});
