/**
 * The mail source contract: where inbound mail comes from (IMAP, Maildir), independent of
 * what the worker does with it. The worker persists the Cursor in the same database
 * transaction as the message's effects and calls markProcessed only after that commit.
 */
import { AppError } from "../errors.js";

/** Identifies one message in one source; the worker's idempotency key (with Message-ID). */
export interface MessageKey {
  mailbox: string;
  folder: string;
  uidValidity: string;
  uid: string;
}

export interface SourceMessage {
  key: MessageKey;
  /** The message exactly as stored by the server / on disk. */
  raw: Buffer;
  /** When the mailbox received it, epoch ms: IMAP INTERNALDATE, Maildir delivery time (file name, else mtime); null when unknown. */
  receivedAt: number | null;
  /**
   * Why the source could not hand over the message's bytes (a Maildir file it may not read): `raw` is
   * then empty and the pipeline quarantines the message with this reason instead of parsing it.
   */
  unreadable?: string;
}

/** Read position in one folder: everything at or below lastUid has been committed. */
export interface Cursor {
  uidValidity: string;
  lastUid: string;
}

export interface FetchResult {
  messages: SourceMessage[];
  /** Cursor after the returned messages (persist it with the last message's effects). */
  cursor: Cursor;
  /** The folder's UIDVALIDITY differs from the given cursor's: the batch restarted from UID 1. */
  uidValidityChanged: boolean;
}

export interface MailSource {
  readonly name: string;
  /**
   * Returns unprocessed messages in order (UID order; Maildir: file order), starting after the
   * cursor; resumable. The batch is the longest prefix of the next `limit` such messages whose raw
   * sizes sum to at most `maxBytes` (IMAP: RFC822.SIZE as the server reports it; Maildir: the
   * file size), but at least one message whenever one is waiting: a message larger than
   * `maxBytes` comes alone. `maxBytes` undefined (or Infinity) = no byte bound, and the IMAP
   * source then skips the size round trip. It bounds what one batch holds in memory, so a caller
   * keeping k batches in flight holds about k × maxBytes plus at most one oversized message each.
   * Messages the bound leaves out are not skipped: the next fetch from `FetchResult.cursor`
   * starts with them. A negative or NaN `maxBytes` throws E_SOURCE_BAD_MAX_BYTES.
   */
  fetchBatch(cursor: Cursor | null, limit: number, signal?: AbortSignal, maxBytes?: number): Promise<FetchResult>;
  /** Marks a committed message processed (IMAP: move or flag; Maildir: new/ → cur/). Idempotent. */
  markProcessed(key: MessageKey): Promise<void>;
  /** Moves a message that cannot be processed out of the way, never deleting it. Idempotent. */
  quarantine(key: MessageKey, reason: string): Promise<void>;
  /** Resolves when new mail may be there, after timeoutMs, or when the signal aborts. */
  waitForNew(signal: AbortSignal, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * pino-compatible logger subset; sources never import pino themselves. The caller binds the mailbox name
 * (src/sources/from-config.ts makes a child logger with it), so lines here do not repeat it.
 */
export interface SourceLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: SourceLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A source failure. `retryable` tells the caller whether trying again later can help
 * (network down, server restarting) or a person must act (bad password, missing folder).
 */
export class SourceError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly retryable: boolean,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
    this.name = "SourceError";
  }
}

/** Keys of this source only: a key from another mailbox/folder is a wiring bug. */
export function assertOwnKey(sourceName: string, folder: string, key: MessageKey): void {
  if (key.mailbox !== sourceName || key.folder !== folder) {
    throw new SourceError(
      "E_SOURCE_FOREIGN_KEY",
      `Message key ${key.mailbox}/${key.folder}/${key.uid} does not belong to source ${sourceName}/${folder}`,
      false,
    );
  }
}
