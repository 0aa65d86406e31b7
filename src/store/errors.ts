/**
 * Driver-neutral reading of Postgres errors. drizzle wraps driver errors (DrizzleQueryError), and
 * postgres.js and PGlite use different classes, but both carry the SQLSTATE in `code`.
 */
export function sqlState(error: unknown): string | undefined {
  for (const code of codesOf(error)) if (/^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

/** Every string `code` on the error and its `cause` chain, outermost first. */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

export const isUniqueViolation = (error: unknown): boolean => sqlState(error) === "23505";
export const isUndefinedTable = (error: unknown): boolean => sqlState(error) === "42P01";

/**
 * The one table of what is worth trying again: the same work may succeed in a moment. SQLSTATE codes or
 * whole classes (a prefix), then the connection-level codes of Node and postgres.js and our own open errors.
 */
export const RETRYABLE_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ["40001", "serialization failure"],
  ["40P01", "deadlock detected"],
  ["08", "connection exception (08000, 08003 no connection, 08006 connection failure…)"],
  ["53", "insufficient resources (53300 too many connections…)"],
  ["57P", "server shutting down or starting (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now…)"],
]);
export const RETRYABLE_CONNECTION_CODES: ReadonlySet<string> = new Set([
  // Node's network errors.
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN",
  // postgres.js, when the server goes away.
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
  // openDatabase (store/database.ts): the server or the embedded database could not be opened.
  "E_DB_CONNECT", "E_DB_OPEN",
]);

/** The error, or one in its `cause` chain, is in the retryable table. */
export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined && [...RETRYABLE_SQLSTATES.keys()].some((prefix) => state.startsWith(prefix))) return true;
  return codesOf(error).some((code) => RETRYABLE_CONNECTION_CODES.has(code));
}

/** SQLSTATE classes that mean the server is gone or not accepting sessions, not that the work conflicted. */
const CONNECTION_LOSS_STATES = ["08", "57P"];

/**
 * The database is unreachable or going away (refused, reset, terminated by a shutdown, starting up): the
 * whole worker should wait for it, unlike a serialization failure or a deadlock, which the next try fixes.
 */
export function isConnectionLoss(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined && CONNECTION_LOSS_STATES.some((prefix) => state.startsWith(prefix))) return true;
  return codesOf(error).some((code) => RETRYABLE_CONNECTION_CODES.has(code));
}
