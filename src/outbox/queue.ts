/**
 * The outbox table as a queue. Rows are inserted in the same transaction as the change that causes
 * them; a unique idempotency key makes a second insert a no-op. Senders claim rows with
 * FOR UPDATE SKIP LOCKED and a lease, so several workers never send the same row and a worker that
 * dies mid-send leaves the row to be claimed again (same Message-ID) as soon as its presence lock is
 * gone, or once the lease expires for a claim made without one.
 */
import type { Db } from "../store/database.js";
import {
  claimDueOutbox,
  insertOutbox,
  insertOutboxMany,
  markOutboxBounced,
  releaseOutboxClaim,
  releaseOutboxClaims,
  renewOutboxClaim,
  type ClaimOutcome,
  type OutboxAttachment,
  type OutboxRow,
} from "../store/repos/outbox.js";
import { installationId } from "../store/repos/installation.js";
import { messageIdDomain, messageIdFor } from "./headers.js";
import type { DeliveryResult } from "./sender.js";
import { retryDelay, shouldGiveUp, type RetryPolicy, DEFAULT_RETRY } from "./retry.js";

export type { OutboxAttachment, OutboxRow };

export interface NewOutgoing {
  idempotencyKey: string;
  kind: string;
  caseId: number | null;
  from: string;
  to: string[];
  cc?: string[];
  replyTo?: string | null;
  subject: string;
  /**
   * messageIdFor(idempotencyKey, supportDomain): queuing keeps its domain and mixes the database's
   * installation id into the rest, so the stored row (sent as is, retries included) is unique to this
   * installation.
   */
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  headers?: Record<string, string>;
  text: string;
  html?: string | null;
  attachments?: OutboxAttachment[];
}

/**
 * The Message-ID a queued row is stored and sent with: fixed per key, unique per installation. Only an id made
 * by messageIdFor from the row's own key is rewritten; one a caller chose itself is kept as given.
 */
export function queuedMessageId(row: Pick<NewOutgoing, "idempotencyKey" | "messageId">, installation: string): string {
  const domain = messageIdDomain(row.messageId);
  return row.messageId === messageIdFor(row.idempotencyKey, domain) ? messageIdFor(row.idempotencyKey, domain, installation) : row.messageId;
}
const ownMessageId = queuedMessageId;

/** Queues a message; false when a row with the same idempotency key already exists. */
export async function enqueue(tx: Db, row: NewOutgoing, now: number): Promise<boolean> {
  const installation = await installationId(tx);
  const { inserted } = await insertOutbox(tx, {
    ...row,
    messageId: ownMessageId(row, installation),
    cc: row.cc ?? [],
    references: row.references ?? [],
    headers: row.headers ?? {},
    attachments: row.attachments ?? [],
    nextAttemptAt: new Date(now),
    createdAt: new Date(now),
  });
  return inserted;
}

/** Queues several messages in one statement; returns how many were new (duplicates by key are skipped). */
export async function enqueueMany(tx: Db, rows: NewOutgoing[], now: number): Promise<number> {
  if (rows.length === 0) return 0;
  const at = new Date(now);
  const installation = await installationId(tx);
  return insertOutboxMany(
    tx,
    rows.map((row) => ({
      ...row,
      messageId: ownMessageId(row, installation),
      cc: row.cc ?? [],
      references: row.references ?? [],
      headers: row.headers ?? {},
      attachments: row.attachments ?? [],
      nextAttemptAt: at,
      createdAt: at,
    })),
  );
}

/**
 * Claims up to `limit` rows that are due, or whose previous sender's lease ran out or who is dead.
 * `workerId` (the claimant's presence lock, store/worker-locks.ts) lets others see when it dies.
 */
export async function claimDue(db: Db, now: number, limit: number, leaseMs: number, workerId: number | null = null): Promise<OutboxRow[]> {
  return claimDueOutbox(db, new Date(now), limit, new Date(now + leaseMs), workerId);
}

/**
 * Extends our claim on a row just before sending it; false when the lease already ran out and another
 * worker may have taken the row (then we must not send it: that would be a second copy).
 */
export async function renewClaim(db: Db, row: OutboxRow, now: number, leaseMs: number): Promise<boolean> {
  return renewOutboxClaim(db, row, new Date(now), new Date(now + leaseMs));
}

/** What to write for one delivery attempt of a claimed row: pure, so the rule is testable without a database. */
export function claimOutcome(row: Pick<OutboxRow, "attempts">, result: DeliveryResult, now: number, random: number, retry: RetryPolicy = DEFAULT_RETRY): ClaimOutcome {
  if (result.status === "sent") return { state: "sent", sentAt: new Date(now), lockedUntil: null, lastError: null };
  if (result.status === "permanent" || shouldGiveUp(row.attempts, retry)) return { state: "failed", lockedUntil: null, lastError: result.error };
  return { state: "queued", nextAttemptAt: new Date(now + retryDelay(row.attempts, random, retry)), lockedUntil: null, lastError: result.error };
}

const verdict = (outcome: ClaimOutcome): "sent" | "retry" | "failed" => (outcome.state === "queued" ? "retry" : outcome.state);

/** Records the outcome of one delivery attempt of a claimed row. */
export async function recordDelivery(
  db: Db,
  row: OutboxRow,
  result: DeliveryResult,
  now: number,
  random: number,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<"sent" | "retry" | "failed"> {
  // Only the holder of the claim may record: a row re-claimed after our lease expired is theirs.
  const outcome = claimOutcome(row, result, now, random, retry);
  await releaseOutboxClaim(db, row, outcome);
  return verdict(outcome);
}

/** recordDelivery for several attempts in one statement; the verdicts in the same order. */
export async function recordDeliveries(
  db: Db,
  attempts: Array<{ row: OutboxRow; result: DeliveryResult; random: number }>,
  now: number,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<Array<"sent" | "retry" | "failed">> {
  const items = attempts.map(({ row, result, random }) => ({ row, outcome: claimOutcome(row, result, now, random, retry) }));
  await releaseOutboxClaims(db, items);
  return items.map(({ outcome }) => verdict(outcome));
}

/** A bounce names one of our Message-IDs: that row is marked bounced (kept, never resent). */
export async function markBounced(db: Db, messageIds: string[], detail: string): Promise<number> {
  if (messageIds.length === 0) return 0;
  return markOutboxBounced(db, messageIds, detail);
}
