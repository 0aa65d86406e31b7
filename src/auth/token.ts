/**
 * OAuth2 access tokens for mailboxes (IMAP) and the SMTP relay: the provider contract, the typed
 * error every provider throws, and the cache in front of them. A token is used until shortly before
 * it expires, renewed once more when the server refuses it, and never written to a log or a message.
 */
import type { Clock } from "../clock/clock.js";
import { AppError } from "../errors.js";

export interface AccessToken {
  token: string;
  /**
   * Epoch ms at which the token stops working. The token libraries stamp it with the wall clock;
   * in production the Clock is the wall clock, so the two agree.
   */
  expiresAt: number;
}

export interface TokenProvider {
  /** Which provider and account, for messages: `microsoft (tenant …, client …)`. Never a secret. */
  readonly describe: string;
  fetch(): Promise<AccessToken>;
}

/**
 * A token could not be had. `retryable`: the endpoint was unreachable or failing (5xx, timeout), so
 * trying later can help; false: it refused (bad secret, revoked grant, missing consent), a person must act.
 */
export class OAuthError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly retryable: boolean,
    details?: Record<string, unknown>,
  ) {
    // No `cause`: library errors carry the request (client secret, refresh token, signed assertion).
    super(code, message, details);
    this.name = "OAuthError";
  }
}

/** The default lead before expiry at which a token is renewed (Microsoft and Google tokens live ~60 min). */
export const DEFAULT_RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Pure: whether a cached token may still be handed out at `now`. It is renewed `renewBeforeMs` before
 * it expires, or half-way through its life when it lives shorter than twice that.
 */
export function isFresh(cached: { expiresAt: number; fetchedAt: number } | null, now: number, renewBeforeMs: number): boolean {
  if (!cached) return false;
  const lead = Math.min(renewBeforeMs, (cached.expiresAt - cached.fetchedAt) / 2);
  return now < cached.expiresAt - lead;
}

/** One account's token: cached, renewed before expiry, and renewed on demand after a refusal. */
export class TokenCache {
  private cached: (AccessToken & { fetchedAt: number }) | null = null;
  private pending: Promise<string> | null = null;
  /** How many tokens were fetched from the provider (for tests and the logs). */
  fetches = 0;

  constructor(
    readonly provider: TokenProvider,
    private readonly clock: Clock,
    private readonly renewBeforeMs = DEFAULT_RENEW_BEFORE_MS,
  ) {}

  /** A token that is fresh now: the cached one, or a new one (concurrent callers share one fetch). */
  async get(): Promise<string> {
    if (this.cached && isFresh(this.cached, this.clock.now(), this.renewBeforeMs)) return this.cached.token;
    return this.renew();
  }

  /** Drops the cached token and fetches a new one: after a server refused the cached token. */
  async renew(): Promise<string> {
    this.pending ??= this.fetchNew().finally(() => (this.pending = null));
    return this.pending;
  }

  private async fetchNew(): Promise<string> {
    this.cached = null;
    const fetchedAt = this.clock.now();
    const fresh = await this.provider.fetch();
    if (!fresh.token) throw new OAuthError("E_OAUTH_EMPTY_TOKEN", `${this.provider.describe} returned an empty access token`, false);
    this.fetches++;
    this.cached = { ...fresh, fetchedAt };
    return fresh.token;
  }
}

/** What a mail protocol needs to log in with OAuth2: who, and where the tokens come from. */
export interface OAuth2Login {
  user: string;
  tokens: TokenCache;
}

/**
 * Removes anything token-like from a server's or library's message before it goes into ours:
 * `Bearer xyz`, `access_token=xyz`, and the token itself when known.
 */
export function scrubSecrets(text: string, ...secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join("[token]");
  return out
    .replace(/(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, "$1[token]")
    .replace(/((?:access_token|refresh_token|client_secret|assertion|client_assertion)["']?\s*[=:]\s*["']?)[^"'&\s,}]+/gi, "$1[redacted]");
}
