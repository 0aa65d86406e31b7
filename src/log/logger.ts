/**
 * The one logger: pino JSON lines (one object per event, for log shippers), human-readable through
 * pino-pretty when stdout is a terminal. Subsystems take `logger.child({ subsystem: "imap" })`.
 *
 * Rules every caller follows:
 * - Secrets never reach the output: the redact paths below censor passwords, tokens, SMTP auth and
 *   the credentials inside database URLs, wherever a config-shaped object is logged.
 * - Message bodies are never logged at info level or above (they hold customer data). Log ids,
 *   addresses, subjects and sizes; use `bodyPreview()` to attach a short excerpt at debug level only.
 */
import type { Writable } from "node:stream";
import { pino, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import type { Config, LogLevel } from "../config/schema.js";

export type { Logger } from "pino";

const SECRET_KEYS = ["password", "pass", "token", "accessToken", "refreshToken", "secret", "apiKey", "authorization", "cookie", "clientSecret", "private_key"];
const URL_KEYS = ["url", "databaseUrl", "DATABASE_URL"];

/** fast-redact paths: each secret key at the top level and up to three levels down, plus smtp.auth. */
function redactPaths(): string[] {
  const prefixes = ["", "*.", "*.*.", "*.*.*."];
  const keys = [...SECRET_KEYS, ...URL_KEYS];
  return [
    ...prefixes.flatMap((p) => keys.map((k) => p + k)),
    "smtp.auth",
    "*.smtp.auth",
    "headers.authorization",
    "*.headers.authorization",
  ];
}

/** Keeps a URL readable (host, database) but drops its password; every other secret becomes "[redacted]". */
function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? "";
  if (URL_KEYS.includes(key)) return typeof value === "string" ? redactUrlCredentials(value) : value;
  return "[redacted]";
}

export function redactUrlCredentials(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

export interface LoggerSetup {
  level?: LogLevel;
  /** Where lines go (tests pass a stream); default stdout. */
  destination?: Writable;
  /** Default: when the destination is stdout and it is a terminal. */
  pretty?: boolean;
}

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    base: { service: "support-inbox" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor },
    formatters: { level: (label) => ({ level: label }) },
  };
}

export function createLogger(config: Pick<Config, "log">, setup: LoggerSetup = {}): Logger {
  const options = loggerOptions(setup.level ?? config.log.level);
  const destination = setup.destination ?? process.stdout;
  const usePretty = setup.pretty ?? (destination === process.stdout && process.stdout.isTTY === true);
  if (usePretty) {
    // In-process and synchronous, so the last lines before exit are never lost (no worker thread).
    return pino(options, pretty({ destination, sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service" }));
  }
  return pino(options, destination === process.stdout ? pino.destination({ fd: 1, sync: true }) : destination);
}

/** A logger that drops everything: for tests and library callers that were given none. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** A short excerpt of a message body for debug logs; undefined unless debug is enabled. */
export function bodyPreview(logger: Logger, text: string | undefined | null, max = 200): string | undefined {
  if (!text || !logger.isLevelEnabled("debug")) return undefined;
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
