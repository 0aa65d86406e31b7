/**
 * Microsoft 365 (Exchange Online) app-only tokens: the OAuth2 client-credentials grant through
 * @azure/msal-node, with a client secret or a certificate. The app registration needs the
 * IMAP.AccessAsApp / SMTP.SendAsApp application permissions and a service principal granted the
 * mailbox in Exchange (README: "Mailboxes at Microsoft 365 and Google").
 */
import { X509Certificate } from "node:crypto";
import { ConfidentialClientApplication, LogLevel, type Configuration } from "@azure/msal-node";
import { OAuthError, scrubSecrets, type AccessToken, type TokenProvider } from "./token.js";

export const MICROSOFT_AUTHORITY_HOST = "https://login.microsoftonline.com";
/** The scope of app-only IMAP and SMTP access to Exchange Online. */
export const MICROSOFT_SCOPE = "https://outlook.office365.com/.default";

export interface MicrosoftOptions {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** PEM texts of the certificate uploaded to the app registration and its private key. */
  certificate?: { certificatePem: string; privateKeyPem: string };
  /** National clouds: https://login.microsoftonline.us, https://login.chinacloudapi.cn, … */
  authorityHost?: string;
  scope?: string;
}

/** Token endpoint answers after which asking again later can succeed. */
const TRANSIENT = new Set(["network_error", "temporarily_unavailable", "server_error", "request_timeout", "endpoints_resolution_error"]);

export function microsoftProvider(opts: MicrosoftOptions): TokenProvider {
  const host = (opts.authorityHost ?? MICROSOFT_AUTHORITY_HOST).replace(/\/+$/, "");
  const describe = `microsoft (tenant ${opts.tenantId}, client ${opts.clientId})`;
  const app = new ConfidentialClientApplication(msalConfig(opts, host));
  const scope = opts.scope ?? MICROSOFT_SCOPE;
  return {
    describe,
    async fetch(): Promise<AccessToken> {
      try {
        // Our TokenCache decides when to renew (on the injected clock), so MSAL's own cache is skipped.
        const result = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: true });
        if (!result?.accessToken || !result.expiresOn) throw new Error("no access token in the answer");
        return { token: result.accessToken, expiresAt: result.expiresOn.getTime() };
      } catch (error) {
        throw msalError(error, describe, opts.clientSecret);
      }
    },
  };
}

function msalConfig(opts: MicrosoftOptions, host: string): Configuration {
  const cert = opts.certificate;
  return {
    auth: {
      clientId: opts.clientId,
      authority: `${host}/${opts.tenantId}`,
      // A host MSAL does not know is trusted as given instead of checked against Microsoft's cloud list.
      ...(host === MICROSOFT_AUTHORITY_HOST ? {} : { knownAuthorities: [new URL(host).host] }),
      ...(opts.clientSecret !== undefined ? { clientSecret: opts.clientSecret } : {}),
      ...(cert
        ? {
            clientCertificate: {
              thumbprintSha256: new X509Certificate(cert.certificatePem).fingerprint256.replace(/:/g, ""),
              privateKey: cert.privateKeyPem,
              x5c: cert.certificatePem,
            },
          }
        : {}),
    },
    system: { loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => {} } },
  };
}

/** MSAL's error → OAuthError with the server's own words (AADSTS…), scrubbed of secrets. */
function msalError(error: unknown, describe: string, secret: string | undefined): OAuthError {
  const e = error as { errorCode?: string; errorMessage?: string; message?: string; status?: number };
  const code = e.errorCode ?? "error";
  const text = scrubSecrets((e.errorMessage || e.message || String(error)).split(/\r?\n/)[0]!, secret);
  const retryable = TRANSIENT.has(code) || (typeof e.status === "number" && e.status >= 500);
  return new OAuthError(
    retryable ? "E_OAUTH_UNAVAILABLE" : "E_OAUTH_REFUSED",
    `token endpoint of ${describe} ${retryable ? "failed" : "refused"}: ${code}: ${text}`,
    retryable,
    { provider: "microsoft", errorCode: code },
  );
}
