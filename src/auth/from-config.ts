/** A mailbox's or the relay's `auth: { type: oauth2, … }` → the token cache its protocol logs in with. */
import { readFileSync } from "node:fs";
import type { Clock } from "../clock/clock.js";
import type { OAuth2Config } from "../config/schema.js";
import { AppError } from "../errors.js";
import { commandProvider } from "./command.js";
import { googleProvider, type ServiceAccountKey } from "./google.js";
import { microsoftProvider } from "./microsoft.js";
import { TokenCache, type OAuth2Login, type TokenProvider } from "./token.js";

/** `where` names the config place in errors: `mailbox "support"` or `smtp`. */
export function oauth2Login(auth: OAuth2Config, user: string, clock: Clock, where: string): OAuth2Login {
  return { user, tokens: new TokenCache(providerFor(auth, user, clock, where), clock, auth.renewBeforeSeconds * 1000) };
}

function providerFor(auth: OAuth2Config, user: string, clock: Clock, where: string): TokenProvider {
  switch (auth.provider) {
    case "microsoft":
      return microsoftProvider({
        tenantId: auth.tenantId,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        certificate: auth.certificate && {
          certificatePem: readText(auth.certificate.certificateFile, where, "certificate.certificateFile"),
          privateKeyPem: readText(auth.certificate.privateKeyFile, where, "certificate.privateKeyFile"),
        },
        authorityHost: auth.authorityHost,
        scope: auth.scope,
      });
    case "google":
      return auth.serviceAccountKeyFile !== undefined
        ? googleProvider({ mode: "serviceAccount", key: readKey(auth.serviceAccountKeyFile, where), subject: auth.subject ?? user, scope: auth.scope, tokenUrl: auth.tokenUrl })
        : googleProvider({ mode: "refreshToken", clientId: auth.clientId!, clientSecret: auth.clientSecret!, refreshToken: auth.refreshToken!, scope: auth.scope, tokenUrl: auth.tokenUrl });
    case "command":
      return commandProvider({ command: auth.command, timeoutSeconds: auth.timeoutSeconds, tokenLifetimeSeconds: auth.tokenLifetimeSeconds, clock });
  }
}

function readText(file: string, where: string, field: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new AppError("E_OAUTH_FILE", `${where}: auth.${field}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function readKey(file: string, where: string): ServiceAccountKey {
  const text = readText(file, where, "serviceAccountKeyFile");
  let key: Partial<ServiceAccountKey>;
  try {
    key = JSON.parse(text) as Partial<ServiceAccountKey>;
  } catch {
    throw new AppError("E_OAUTH_FILE", `${where}: auth.serviceAccountKeyFile: ${file} is not JSON (download the key as JSON)`);
  }
  if (typeof key.client_email !== "string" || typeof key.private_key !== "string") {
    throw new AppError("E_OAUTH_FILE", `${where}: auth.serviceAccountKeyFile: ${file} has no client_email and private_key; is it a service account key?`);
  }
  return { client_email: key.client_email, private_key: key.private_key, token_uri: typeof key.token_uri === "string" ? key.token_uri : undefined };
}
