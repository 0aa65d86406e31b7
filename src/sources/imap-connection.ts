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

export interface ImapConnectionOptions {
  host: string;
  port: number;
  /** true: implicit TLS (993). false: plaintext, upgraded with STARTTLS when offered (loopback tests). */
  tls: boolean;
  user: string;
  password: string;
  clock: Clock;
  logger: SourceLogger;
  backoff?: BackoffOptions;
  random?: () => number;
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
    const client = new ImapFlow({
      host: this.opts.host,
      port: this.opts.port,
      secure: this.opts.tls,
      auth: { user: this.opts.user, pass: this.opts.password },
      logger: quietLogger(this.opts.logger),
      disableAutoIdle: true, // IDLE only inside waitForNew, so commands never pay for breaking it
      connectionTimeout: 30_000,
    });
    // Without an 'error' listener an EventEmitter error would crash the process.
    client.on("error", (err: Error) => this.opts.logger.debug({ err }, "IMAP connection error"));
    client.on("close", () => {
      if (this.current === client) this.current = null;
    });
    await client.connect();
    this.current = client;
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
