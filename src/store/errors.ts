/**
 * Driver-neutral reading of Postgres errors. drizzle wraps driver errors (DrizzleQueryError), and
 * postgres.js and PGlite use different classes, but both carry the SQLSTATE in `code`.
 */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown): boolean => sqlState(error) === "23505";
export const isUndefinedTable = (error: unknown): boolean => sqlState(error) === "42P01";
/** Serialization failure, deadlock, or server shutting down: safe to retry the transaction. */
export const isRetryable = (error: unknown): boolean => ["40001", "40P01", "57P03"].includes(sqlState(error) ?? "");
