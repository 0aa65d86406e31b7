/**
 * The byte bound of one fetched batch (see MailSource.fetchBatch). IMAP cuts the server's sizes
 * with prefixWithinBytes; Maildir applies the same rule file by file as it reads.
 */
import { SourceError } from "./types.js";

/**
 * How many of `sizes` (in order) go into the batch: the longest prefix whose sum is ≤ maxBytes,
 * but at least one when any is there, so a message larger than the bound still comes (alone)
 * instead of blocking the folder. `undefined` means unlimited.
 */
export function prefixWithinBytes(sizes: readonly number[], maxBytes: number | undefined): number {
  if (maxBytes === undefined) return sizes.length;
  let sum = 0;
  for (let i = 0; i < sizes.length; i++) {
    sum += sizes[i]!;
    if (sum > maxBytes) return Math.max(i, 1);
  }
  return sizes.length;
}

/** Rejects a bound that is not a number of bytes; a wiring bug, so not retryable. */
export function checkMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes === undefined || (typeof maxBytes === "number" && maxBytes >= 0)) return; // NaN fails >= 0
  throw new SourceError(
    "E_SOURCE_BAD_MAX_BYTES",
    `fetchBatch maxBytes must be a number of bytes ≥ 0 (or undefined for no bound), got ${String(maxBytes)}`,
    false,
    { maxBytes },
  );
}

/** True when the bound can cut a batch at all (skips asking an IMAP server for sizes otherwise). */
export function boundsBytes(maxBytes: number | undefined): maxBytes is number {
  return maxBytes !== undefined && maxBytes !== Number.POSITIVE_INFINITY;
}
