/**
 * Typed errors with a stable `code` and a message a user can act on.
 * The CLI prints `message` to stderr and exits non-zero; workers log `code` and move on.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
  }
}

/** A config or policy file is invalid: names the file and the field path. */
export class ValidationError extends AppError {
  constructor(
    readonly file: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(
      "E_VALIDATION",
      `${file}: ` + issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
      { file, issues },
    );
    this.name = "ValidationError";
  }
}

export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
