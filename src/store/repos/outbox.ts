/**
 * Outbox rows and digest bookkeeping. Queuing is idempotent by key: a second insert with the same
 * idempotency key is a no-op that reports `inserted: false`, so retried transactions never send twice.
 * Claiming and delivery belong to src/outbox/.
 */
import { and, asc, eq, gt, inArray, lte, or, sql } from "drizzle-orm";
import { bulkInsert } from "../bulk.js";
import { executeRows, type Db } from "../database.js";
import { digestsSent, outbox, type OutboxState } from "../schema/index.js";
import { WORKER_NS } from "../worker-locks.js";

export type { OutboxAttachment, OutboxState } from "../schema/index.js";

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = Omit<typeof outbox.$inferInsert, "id" | "state" | "attempts" | "sentAt" | "lockedUntil" | "lastError">;

export async function insertOutbox(db: Db, row: NewOutboxRow): Promise<{ inserted: boolean; id: number | undefined }> {
  const [created] = await db
    .insert(outbox)
    .values(row)
    .onConflictDoNothing({ target: outbox.idempotencyKey })
    .returning({ id: outbox.id });
  return { inserted: created !== undefined, id: created?.id };
}

/** insertOutbox for many rows in one statement; returns how many were new (duplicates by key are skipped). */
export async function insertOutboxMany(db: Db, rows: NewOutboxRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await bulkInsert(db, outbox, rows, { onConflictDoNothing: true, returning: ["id"] });
  return inserted.length;
}

export async function getOutboxByKey(db: Db, idempotencyKey: string): Promise<OutboxRow | undefined> {
  const [row] = await db.select().from(outbox).where(eq(outbox.idempotencyKey, idempotencyKey));
  return row;
}

export async function listOutbox(db: Db, filter: { caseId?: number; state?: OutboxState } = {}): Promise<OutboxRow[]> {
  const where = and(
    filter.caseId === undefined ? undefined : eq(outbox.caseId, filter.caseId),
    filter.state ? eq(outbox.state, filter.state) : undefined,
  );
  return db.select().from(outbox).where(where).orderBy(asc(outbox.id));
}

/** Records that a manager's digest for `day` went out; false when it already had (never twice). */
export async function markDigestSent(db: Db, managerId: number, day: string, sentAt: Date): Promise<boolean> {
  const rows = await db.insert(digestsSent).values({ managerId, day, sentAt }).onConflictDoNothing().returning({ id: digestsSent.id });
  return rows.length > 0;
}

export async function digestWasSent(db: Db, managerId: number, day: string): Promise<boolean> {
  const rows = await db
    .select({ id: digestsSent.id })
    .from(digestsSent)
    .where(and(eq(digestsSent.managerId, managerId), eq(digestsSent.day, day)));
  return rows.length > 0;
}

/**
 * The claim's holder has no presence lock in this database (worker-locks.ts): it is dead, whatever its
 * lease says. Rows claimed without a worker id (claimedBy null) wait for their lease only.
 */
const holderGone = sql`${outbox.claimedBy} is not null and not exists (
  select 1 from pg_locks l where l.locktype = 'advisory' and l.granted and l.objsubid = 2
    and l.database = (select oid from pg_database where datname = current_database())
    and l.classid = ${WORKER_NS}::oid and l.objid = ${outbox.claimedBy}::oid)`;

/**
 * Claims up to `limit` rows queued and due at `at`, or whose sender's lease ran out by then, whose sender
 * is dead, or that this worker claimed before; oldest first. `claimedBy` is the claiming worker's id (null:
 * lease only).
 */
export async function claimDueOutbox(db: Db, at: Date, limit: number, lockedUntil: Date, claimedBy: number | null = null): Promise<OutboxRow[]> {
  return db.transaction(async (tx) => {
    const due = tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        or(
          and(eq(outbox.state, "queued"), lte(outbox.nextAttemptAt, at)),
          // Or left claimed by this worker's own earlier pass (one ended by a lost database connection): a
          // worker runs one pass at a time, so nothing of its own is in flight, and waiting out the lease would
          // hold those mails for minutes after the database is back.
          and(eq(outbox.state, "sending"), or(lte(outbox.lockedUntil, at), holderGone, claimedBy === null ? undefined : eq(outbox.claimedBy, claimedBy))),
        ),
      )
      .orderBy(outbox.nextAttemptAt, outbox.id)
      .limit(limit)
      .for("update", { skipLocked: true });
    const claimed = await tx
      .update(outbox)
      .set({ state: "sending", lockedUntil, claimedBy, attempts: sql`${outbox.attempts} + 1` })
      .where(inArray(outbox.id, due))
      .returning();
    // UPDATE … RETURNING has no order: send oldest first, as queued.
    return claimed.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
  });
}

/** The claim on a row as this sender took it: same row, still sending, same attempt. */
const heldClaim = (row: Pick<OutboxRow, "id" | "attempts">) =>
  and(eq(outbox.id, row.id), eq(outbox.state, "sending"), eq(outbox.attempts, row.attempts));

/** Extends a claim whose lease has not run out at `now`; false when it had (the row may be another's). */
export async function renewOutboxClaim(db: Db, row: Pick<OutboxRow, "id" | "attempts">, now: Date, lockedUntil: Date): Promise<boolean> {
  const renewed = await db
    .update(outbox)
    .set({ lockedUntil })
    .where(and(heldClaim(row), gt(outbox.lockedUntil, now)))
    .returning({ id: outbox.id });
  return renewed.length > 0;
}

/** The outcome of a delivery attempt, written only if the claim is still ours (a re-claimed row is not). */
export type ClaimOutcome =
  | { state: "sent"; sentAt: Date; lockedUntil: null; lastError: null }
  | { state: "failed"; lockedUntil: null; lastError: string }
  | { state: "queued"; nextAttemptAt: Date; lockedUntil: null; lastError: string };

export async function releaseOutboxClaim(db: Db, row: Pick<OutboxRow, "id" | "attempts">, outcome: ClaimOutcome): Promise<void> {
  await db.update(outbox).set(outcome).where(heldClaim(row));
}

/**
 * releaseOutboxClaim for many rows in one statement (the sender records a whole group of outcomes at once):
 * each row is written only if its claim is still the one the sender took. Returns how many rows it wrote.
 */
export async function releaseOutboxClaims(db: Db, items: Array<{ row: Pick<OutboxRow, "id" | "attempts">; outcome: ClaimOutcome }>): Promise<number> {
  if (items.length === 0) return 0;
  const at = (d: Date | undefined) => (d === undefined ? null : d.toISOString());
  const values = sql.join(
    items.map(({ row, outcome }) => {
      const sentAt = outcome.state === "sent" ? at(outcome.sentAt) : null;
      const next = outcome.state === "queued" ? at(outcome.nextAttemptAt) : null;
      return sql`(${row.id}::int, ${row.attempts}::int, ${outcome.state}::text, ${sentAt}::timestamptz, ${next}::timestamptz, ${outcome.lastError}::text)`;
    }),
    sql`, `,
  );
  const written = await executeRows<{ id: number }>(db, sql`
    update outbox o set state = v.state, sent_at = coalesce(v.sent_at, o.sent_at), next_attempt_at = coalesce(v.next_at, o.next_attempt_at),
      locked_until = null, last_error = v.last_error
    from (values ${values}) as v(id, attempts, state, sent_at, next_at, last_error)
    where o.id = v.id and o.attempts = v.attempts and o.state = 'sending'
    returning o.id`);
  return written.length;
}

/** Sent rows with these Message-IDs become bounced (kept, never resent); returns how many. */
export async function markOutboxBounced(db: Db, messageIds: string[], detail: string): Promise<number> {
  const rows = await db
    .update(outbox)
    .set({ state: "bounced", lastError: detail })
    .where(and(inArray(outbox.messageId, messageIds), eq(outbox.state, "sent")))
    .returning({ id: outbox.id });
  return rows.length;
}

/** Makes every mail waiting out a temporary failure's backoff due at `at`; returns how many. */
export async function retryDeferredNow(db: Db, at: Date): Promise<number> {
  const rows = await db
    .update(outbox)
    .set({ nextAttemptAt: at })
    .where(and(eq(outbox.state, "queued"), gt(outbox.attempts, 0), gt(outbox.nextAttemptAt, at)))
    .returning({ id: outbox.id });
  return rows.length;
}

/**
 * Mails waiting to go out at `at` (queued and due, or being sent), counting no further than `limit`:
 * the intake's pace (inbound/outbox-pace.ts) only asks whether there are more than it allows.
 */
export async function countDueOutbox(db: Db, at: Date, limit: number): Promise<number> {
  const [row] = await executeRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from (select 1 from ${outbox}
      where (${outbox.state} = 'queued' and ${outbox.nextAttemptAt} <= ${at.toISOString()}::timestamptz) or ${outbox.state} = 'sending' limit ${limit}) due`,
  );
  return row?.n ?? 0;
}
