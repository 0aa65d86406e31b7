/**
 * One IMAP connection that heals itself: every operation runs through `run`, which connects on
 * demand and, after a network or transient server error, drops the connection and retries with
 * jittered exponential backoff on the injected Clock until it works or the caller gives up.
 * A server restart therefore costs one failed attempt and a reconnect on the next call.
 */
import { ImapFlow, type Logger as ImapFlowLogger } from "imapflow";
import type { Clock } from "../clock/clock.js";
import { backoffDelay, defaultBackoff, type BackoffOptions } from "../clock/backoff.js";
import { SourceError, type SourceLogger } from "./types.js";
import { OAuthError, scrubSecrets, type OAuth2Login } from "../auth/token.js";

export interface ImapConnectionOptions {
  host: string;
  port: number;
  /** true: implicit TLS (993). false: plaintext, upgraded with STARTTLS when offered (loopback tests). */
  tls: boolean;
  user: string;
  /** Unused when `oauth2` is given. */
  password?: string;
  /** Log in with XOAUTH2 / OAUTHBEARER (whichever the server offers; OAUTHBEARER first) instead. */
  oauth2?: OAuth2Login;
  /** The mailbox's name in the config, for refusals. */
  name?: string;
  clock: Clock;
  logger: SourceLogger;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Told each time a session is opened after the first (the IMAP reconnects metric). */
  onReconnect?: () => void;
}

/** Response codes (RFC 5530) after which trying again later can succeed. */
const TRANSIENT_CODES = new Set(["UNAVAILABLE", "SERVERBUG", "INUSE", "LIMIT", "CONTACTADMIN"]);

type ImapErrorLike = Error & {
  code?: string;
  responseStatus?: string;
  responseText?: string;
  serverResponseCode?: string;
  authenticationFailed?: boolean;
};

/** Maps imapflow/socket errors to a typed SourceError with an actionable message. */
export function classifyImapError(error: unknown, where: string): SourceError {
  if (error instanceof SourceError) return error;
  const e = (error instanceof Error ? error : new Error(String(error))) as ImapErrorLike;
  if (e.authenticationFailed || e.serverResponseCode === "AUTHENTICATIONFAILED") {
    return new SourceError("E_IMAP_AUTH", `${where}: login rejected; check the mailbox user and password`, false, {}, { cause: e });
  }
  if (e.responseStatus === "NO" || e.responseStatus === "BAD") {
    const code = e.serverResponseCode ?? "";
    const text = `${where}: server answered ${e.responseStatus} ${code ? `[${code}] ` : ""}${e.responseText ?? e.message}`;
    return TRANSIENT_CODES.has(code)
      ? new SourceError("E_IMAP_SERVER", text, true, { code }, { cause: e })
      : new SourceError("E_IMAP_COMMAND", text, false, { code }, { cause: e });
  }
  return new SourceError("E_IMAP_CONNECTION", `${where}: ${e.code ?? "connection error"}: ${e.message}`, true, { code: e.code }, { cause: e });
}

export class ImapConnection {
  private current: ImapFlow | null = null;
  private connecting: Promise<ImapFlow> | null = null;
  private readonly closed = new AbortController();
  private readonly where: string;
  private connectedBefore = false;

  constructor(private readonly opts: ImapConnectionOptions) {
    this.where = `IMAP ${opts.user}@${opts.host}:${opts.port}`;
  }

  /** Runs `op` on a live connection, reconnecting with backoff after retryable failures. */
  async run<T>(what: string, op: (client: ImapFlow) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.client().catch((e: unknown) => e as Error);
      try {
        if (client instanceof Error) throw client;
        return await op(client);
      } catch (error) {
        const failure = classifyImapError(error, `${this.where} ${what}`);
        if (!failure.retryable || signal?.aborted || this.closed.signal.aborted) throw failure;
        this.drop();
        const delay = backoffDelay(attempt, this.opts.backoff ?? defaultBackoff, (this.opts.random ?? Math.random)());
        this.opts.logger.warn({ err: failure, code: failure.code, attempt, delayMs: delay }, "IMAP operation failed; reconnecting");
        await this.opts.clock.sleep(delay, anySignal(signal, this.closed.signal));
      }
    }
  }

  /** The live client, connecting once if needed (concurrent callers share the attempt). */
  async client(): Promise<ImapFlow> {
    if (this.closed.signal.aborted) throw new SourceError("E_SOURCE_CLOSED", `${this.where}: source is closed`, false);
    if (this.current?.usable) return this.current;
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed.abort();
    const client = this.current;
    this.current = null;
    if (client?.usable) await client.logout().catch(() => client.close());
    else client?.close();
  }

  private async connect(): Promise<ImapFlow> {
    this.drop();
    const oauth2 = this.opts.oauth2;
    if (!oauth2) return this.open({ user: this.opts.user, pass: this.opts.password ?? "" });
    const token = await this.token(() => oauth2.tokens.get());
    try {
      return await this.open({ user: oauth2.user, accessToken: token });
    } catch (error) {
      if (!(error as ImapErrorLike).authenticationFailed) throw error;
      // The cached token may have been revoked or its permissions changed: one more try with a new one.
      this.opts.logger.warn({ step: "IMAP LOGIN", provider: oauth2.tokens.provider.describe }, "IMAP LOGIN refused the access token; renewing it once");
      const renewed = await this.token(() => oauth2.tokens.renew());
      try {
        return await this.open({ user: oauth2.user, accessToken: renewed });
      } catch (again) {
        throw this.oauthRefused(again, [token, renewed]);
      }
    }
  }

  /** A token, or a SourceError naming the mailbox and the token endpoint as the step that failed. */
  private async token(get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (error) {
      const e = error instanceof OAuthError ? error : new OAuthError("E_OAUTH_UNAVAILABLE", (error as Error).message, true);
      this.opts.logger.warn({ step: "token endpoint", code: e.code }, e.message);
      throw new SourceError("E_IMAP_OAUTH_TOKEN", `mailbox "${this.opts.name ?? this.opts.user}": token endpoint: ${e.message}`, e.retryable);
    }
  }

  private oauthRefused(error: unknown, tokens: string[]): SourceError {
    const e = error as ImapErrorLike;
    if (!e.authenticationFailed) return classifyImapError(error, this.where);
    const said = scrubSecrets(`${e.responseText ?? e.message}`, ...tokens);
    const message =
      `mailbox "${this.opts.name ?? this.opts.user}": IMAP LOGIN (OAuth2) as ${this.opts.oauth2!.user} at ${this.opts.host}:${this.opts.port} ` +
      `refused a renewed access token from ${this.opts.oauth2!.tokens.provider.describe}: ${said}; ` +
      "check that the app may access this mailbox (Microsoft: IMAP.AccessAsApp and an Exchange service principal with FullAccess; Google: domain-wide delegation of https://mail.google.com/)";
    this.opts.logger.error({ step: "IMAP LOGIN" }, message);
    return new SourceError("E_IMAP_AUTH", message, false);
  }

  private async open(auth: { user: string; pass: string } | { user: string; accessToken: string }): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: this.opts.host,
      port: this.opts.port,
      secure: this.opts.tls,
      auth,
      logger: quietLogger(this.opts.logger),
      disableAutoIdle: true, // IDLE only inside waitForNew, so commands never pay for breaking it
      connectionTimeout: 30_000,
    });
    // Without an 'error' listener an EventEmitter error would crash the process.
    client.on("error", (err: Error) => this.opts.logger.debug({ err }, "IMAP connection error"));
    client.on("close", () => {
      if (this.current === client) this.current = null;
    });
    await client.connect().catch((error: unknown) => {
      client.close(); // a refused login leaves the socket open otherwise
      throw error;
    });
    this.current = client;
    if (this.connectedBefore) this.opts.onReconnect?.();
    this.connectedBefore = true;
    this.opts.logger.info({ host: this.opts.host, port: this.opts.port, user: this.opts.user }, "IMAP connected");
    return client;
  }

  private drop(): void {
    const client = this.current;
    this.current = null;
    client?.close();
  }
}

/** imapflow is chatty at info; its lines go to debug, our own code logs what matters. */
function quietLogger(log: SourceLogger): ImapFlowLogger {
  const debug = (obj: unknown) => log.debug(typeof obj === "object" && obj ? obj : { msg: String(obj) });
  return { debug, info: debug, warn: debug, error: debug };
}

export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
