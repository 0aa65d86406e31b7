/**
 * The text of an error as it is recorded in the database (processing_attempts.last_error,
 * inbound_rejections.detail). An error about a mail often quotes the mail: drizzle's "Failed query"
 * carries every parameter of the statement (a batch's texts, a file name with a NUL in it), so recording
 * it verbatim could fail for the very reason the message failed, or store megabytes per attempt. Pure.
 */
import { storableText } from "../mail/storable.js";

/** Enough for any reason a person reads; the parameters of a failed statement are cut off well before. */
export const MAX_ERROR_TEXT = 2000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * A failed statement is told by the database's own reason and the statement's first line (which table),
 * not by its parameters; anything else by its message. Always storable, at most MAX_ERROR_TEXT characters.
 */
export function recordedErrorText(error: unknown): string {
  const query = (error as { query?: unknown } | null)?.query;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const text =
    typeof query === "string" && cause !== undefined
      ? `${messageOf(cause)} (statement: ${query.trim().split("\n", 1)[0]!.slice(0, 200)})`
      : messageOf(error);
  // Cut first, then made storable: a cut can split a surrogate pair, which storableText repairs.
  return storableText(text.length <= MAX_ERROR_TEXT ? text : `${text.slice(0, MAX_ERROR_TEXT - 1)}…`);
}
