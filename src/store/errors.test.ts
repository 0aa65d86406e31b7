import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { isRetryable, isUndefinedTable, isUniqueViolation, sqlState } from "./errors.js";

/** An error as the drivers throw it: a `code`, sometimes under a wrapper's `cause`. */
const coded = (code: string, cause?: unknown) => Object.assign(new Error(`error ${code}`, { cause }), { code });
const wrapped = (inner: unknown) => new Error("Failed query: update …", { cause: inner });

describe("isRetryable: the one table of transient database failures", () => {
  it.each([
    ["40001", "serialization failure", true],
    ["40P01", "deadlock", true],
    ["57P01", "admin shutdown (server restarted)", true],
    ["57P02", "crash shutdown", true],
    ["57P03", "cannot connect now (server starting)", true],
    ["08000", "connection exception", true],
    ["08003", "connection does not exist", true],
    ["08006", "connection failure", true],
    ["53300", "too many connections", true],
    ["ECONNRESET", "connection reset", true],
    ["ECONNREFUSED", "server not listening", true],
    ["EPIPE", "broken pipe", true],
    ["ETIMEDOUT", "timed out", true],
    ["CONNECTION_CLOSED", "postgres.js: connection closed", true],
    ["E_DB_CONNECT", "openDatabase could not connect", true],
    ["23505", "unique violation", false],
    ["42P01", "undefined table", false],
    ["22P02", "invalid text representation", false],
    ["57014", "query canceled (class 57, not 57P)", false],
    ["ENOENT", "missing file", false],
    ["E_POLICY_UNKNOWN", "an application error", false],
  ])("%s (%s): retryable %s, bare or under wrappers' causes", (code, _what, retryable) => {
    expect(isRetryable(coded(code))).toBe(retryable);
    expect(isRetryable(wrapped(coded(code)))).toBe(retryable);
    expect(isRetryable(new AppError("E_WRAPPED", "outer", undefined, { cause: wrapped(coded(code)) }))).toBe(retryable);
  });

  it("plain errors and non-errors are not", () => {
    expect(isRetryable(new Error("boom"))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable("40001")).toBe(false);
  });

  it("looks five causes deep, no further", () => {
    let deep: unknown = coded("40001");
    for (let i = 0; i < 4; i++) deep = wrapped(deep);
    expect(isRetryable(deep)).toBe(true);
    expect(isRetryable(wrapped(deep))).toBe(false);
  });
});

describe("sqlState and the named checks", () => {
  it("read the SQLSTATE through wrappers", () => {
    expect(sqlState(wrapped(coded("23505")))).toBe("23505");
    expect(isUniqueViolation(wrapped(coded("23505")))).toBe(true);
    expect(isUndefinedTable(wrapped(coded("42P01")))).toBe(true);
    expect(sqlState(new Error("no code"))).toBeUndefined();
  });
});
