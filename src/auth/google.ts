/**
 * Google Workspace tokens through google-auth-library: a service account with domain-wide delegation
 * acting as the mailbox user (the usual choice for a shared support mailbox), or an OAuth client's
 * refresh token issued to the mailbox user. Scope https://mail.google.com/ covers IMAP and SMTP.
 */
import { JWT, OAuth2Client } from "google-auth-library";
import { OAuthError, scrubSecrets, type AccessToken, type TokenProvider } from "./token.js";

export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
export const GOOGLE_SCOPE = "https://mail.google.com/";

/** The fields of a service account's JSON key that are used. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri?: string;
}

export type GoogleOptions =
  | { mode: "serviceAccount"; key: ServiceAccountKey; subject: string; scope?: string; tokenUrl?: string }
  | { mode: "refreshToken"; clientId: string; clientSecret: string; refreshToken: string; scope?: string; tokenUrl?: string };

export function googleProvider(opts: GoogleOptions): TokenProvider {
  const describe =
    opts.mode === "serviceAccount"
      ? `google (service account ${opts.key.client_email} acting as ${opts.subject})`
      : `google (OAuth client ${opts.clientId}, refresh token)`;
  const secrets = opts.mode === "serviceAccount" ? [opts.key.private_key] : [opts.clientSecret, opts.refreshToken];
  return {
    describe,
    async fetch(): Promise<AccessToken> {
      try {
        // A new client per fetch: the library's own token cache would otherwise answer a forced renewal.
        const { token, expiresAt } = opts.mode === "serviceAccount" ? await viaServiceAccount(opts) : await viaRefreshToken(opts);
        if (!token || !expiresAt) throw new Error("no access token in the answer");
        return { token, expiresAt };
      } catch (error) {
        throw googleError(error, describe, secrets);
      }
    },
  };
}

async function viaServiceAccount(opts: Extract<GoogleOptions, { mode: "serviceAccount" }>) {
  const client = new JWT({ email: opts.key.client_email, key: opts.key.private_key, scopes: [opts.scope ?? GOOGLE_SCOPE], subject: opts.subject });
  // The library always posts to Google's endpoint; the key file (or the config) may name another one.
  const target = opts.tokenUrl ?? opts.key.token_uri ?? GOOGLE_TOKEN_URL;
  if (target !== GOOGLE_TOKEN_URL) {
    client.transporter.interceptors.request.add({
      resolved: async (request) => (request.url.href === GOOGLE_TOKEN_URL ? { ...request, url: new URL(target) } : request),
    });
  }
  const credentials = await client.authorize();
  return { token: credentials.access_token, expiresAt: credentials.expiry_date };
}

async function viaRefreshToken(opts: Extract<GoogleOptions, { mode: "refreshToken" }>) {
  const client = new OAuth2Client({
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    ...(opts.tokenUrl ? { endpoints: { oauth2TokenUrl: opts.tokenUrl } } : {}),
  });
  client.setCredentials({ refresh_token: opts.refreshToken, scope: opts.scope ?? GOOGLE_SCOPE });
  const { token } = await client.getAccessToken();
  return { token, expiresAt: client.credentials.expiry_date };
}

/** gaxios' error → OAuthError with the endpoint's error code (invalid_grant: revoked…), never the request. */
function googleError(error: unknown, describe: string, secrets: string[]): OAuthError {
  const e = error as { status?: number; response?: { status?: number; data?: { error?: unknown; error_description?: unknown } }; message?: string };
  const status = e.status ?? e.response?.status;
  const body = e.response?.data;
  const code = typeof body?.error === "string" ? body.error : status ? `HTTP ${status}` : "error";
  const detail = typeof body?.error_description === "string" ? body.error_description : (e.message ?? String(error));
  const retryable = status === undefined || status >= 500 || status === 429;
  return new OAuthError(
    retryable ? "E_OAUTH_UNAVAILABLE" : "E_OAUTH_REFUSED",
    `token endpoint of ${describe} ${retryable ? "failed" : "refused"}: ${code}: ${scrubSecrets(detail.split(/\r?\n/)[0]!, ...secrets)}`,
    retryable,
    { provider: "google", errorCode: code },
  );
}
