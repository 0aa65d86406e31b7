/**
 * A real OAuth2 authorization server on loopback, small enough to read: it speaks the token endpoint
 * (refresh-token, JWT-bearer and client-credentials grants, as Google and Microsoft do), Microsoft's
 * OpenID metadata, and RFC 7662 introspection for Dovecot's oauth2 passdb. Tokens it issued can be
 * revoked; grants can be refused; every request is kept for assertions.
 */
import { randomBytes } from "node:crypto";
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";

export interface TokenRequest {
  path: string;
  form: Record<string, string>;
}

export interface OAuthTestServer {
  url: string;
  /** The user every token is issued for (introspection's `username`). */
  username: string;
  expiresInSeconds: number;
  /** When set, the token endpoint answers 400 with this error (invalid_grant, invalid_client…). */
  refuseWith: string | null;
  /** When set, the token endpoint answers with this HTTP status and no JSON (an outage). */
  failWithStatus: number | null;
  issued: string[];
  tokenRequests: TokenRequest[];
  introspected: string[];
  revoke(token: string): void;
  stop(): Promise<void>;
}

export async function startOAuthServer(opts: { username: string; tls?: { key: string; cert: string } }): Promise<OAuthTestServer> {
  const revoked = new Set<string>();
  const state: OAuthTestServer = {
    url: "",
    username: opts.username,
    expiresInSeconds: 3600,
    refuseWith: null,
    failWithStatus: null,
    issued: [],
    tokenRequests: [],
    introspected: [],
    revoke: (token) => void revoked.add(token),
    stop: async () => {},
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void readForm(req).then((form) => answer(state, revoked, req, res, form));
  };
  const server = opts.tls ? createHttps({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttp(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `${opts.tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

function answer(state: OAuthTestServer, revoked: Set<string>, req: IncomingMessage, res: ServerResponse, form: Record<string, string>) {
  const path = (req.url ?? "").split("?")[0]!;
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (path.endsWith("/.well-known/openid-configuration")) {
    const tenantBase = `${state.url}${path.replace(/\/v2\.0\/\.well-known\/openid-configuration$/, "")}`;
    return json(200, {
      token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
      authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
      issuer: `${tenantBase}/v2.0`,
      jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
    });
  }
  if (path === "/introspect") {
    const token = form.token ?? "";
    state.introspected.push(token);
    const active = state.issued.includes(token) && !revoked.has(token);
    return json(200, active ? { active: true, username: state.username } : { active: false });
  }
  if (path.endsWith("/token")) {
    state.tokenRequests.push({ path, form });
    if (state.failWithStatus !== null) {
      res.writeHead(state.failWithStatus, { "content-type": "text/plain" });
      return res.end("upstream unavailable");
    }
    if (state.refuseWith) return json(400, { error: state.refuseWith, error_description: `the grant was refused (${state.refuseWith})` });
    const token = `at-${randomBytes(12).toString("hex")}`;
    state.issued.push(token);
    return json(200, { access_token: token, token_type: "Bearer", expires_in: state.expiresInSeconds, ext_expires_in: state.expiresInSeconds });
  }
  json(404, { error: "not_found" });
}

function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => resolve(Object.fromEntries(new URLSearchParams(body))));
  });
}
