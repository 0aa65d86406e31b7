/**
 * The inbound pipeline's shell: source → parse → (load → decide → apply in ONE transaction) → mark the
 * source message processed only after the commit. A crash anywhere leaves the message in the source
 * to be fetched again, and the stored Message-ID turns that second pass into a no-op.
 * A message that fails 3 times is quarantined and the mailbox moves on.
 */
import type { Clock } from "../clock/clock.js";
import type { InboundConfig, InboundDecision } from "../cases/inbound.js";
import { decideInbound } from "../cases/decide.js";
import type { ParseLimits, NormalizedMessage } from "../mail/message.js";
import { parseMessage } from "../mail/parse.js";
import type { MailSource, MessageKey, SourceMessage } from "../sources/types.js";
import type { WorkLogger } from "../log/work-logger.js";
import type { Db } from "../store/database.js";
import {
  clearProcessingAttempts,
  getCursor,
  insertRejection,
  recordProcessingFailure,
  setCursor,
  sourceKey,
} from "../store/repos/mailboxes.js";
import { groupingFacts, relatedGroups } from "./batch-groups.js";
import type { Desk } from "./desk.js";
import { alreadyStored, applyDecision, type AppliedOutcome, type InboundSource } from "./inbound-apply.js";
import { loadInboundContext, type MailboxInfo } from "./inbound-context.js";

export const MAX_PROCESSING_ATTEMPTS = 3;

export type InboundLogger = WorkLogger;

export interface InboundDeps {
  db: Db;
  desk: Desk;
  clock: Clock;
  logger: InboundLogger;
  config: InboundConfig;
  limits: ParseLimits;
  /** Transactions applied side by side within a batch (default 4). */
  concurrency?: number;
  /**
   * Source keys that failed in this process, so a success clears their failure count without a query for
   * every message. (Keys of a folder are never reused within one UIDVALIDITY.)
   */
  failedKeys?: Set<string>;
}

export interface ProcessedMessage {
  applied: AppliedOutcome;
  decision: InboundDecision | null;
  msg: NormalizedMessage;
}

const numeric = (s: string | undefined): number | null => (s !== undefined && /^\d+$/.test(s) ? Number(s) : null);

/** Parses and applies one raw message (the `ingest` command, tests). */
export async function processRawMessage(
  deps: InboundDeps,
  mailbox: MailboxInfo,
  raw: Buffer,
  source: { key?: MessageKey; receivedAt: number | null },
): Promise<ProcessedMessage> {
  return processParsedMessage(deps, mailbox, await parseMessage(raw, deps.limits), source);
}

/** Load → decide → apply one parsed message in one transaction. */
export async function processParsedMessage(
  deps: InboundDeps,
  mailbox: MailboxInfo,
  msg: NormalizedMessage,
  source: { key?: MessageKey; receivedAt: number | null },
): Promise<ProcessedMessage> {
  const { db, desk, clock, config } = deps;
  const now = clock.now();
  const src: InboundSource = {
    mailbox,
    uidValidity: numeric(source.key?.uidValidity),
    uid: numeric(source.key?.uid),
    receivedAt: source.receivedAt,
  };
  let decision: InboundDecision | null = null;
  const applied = await db.transaction(async (tx): Promise<AppliedOutcome> => {
    const [stored, context] = await Promise.all([alreadyStored(tx, msg), loadInboundContext(tx, msg, mailbox, desk.policies, config, now)]);
    if (stored) return { outcome: "duplicate" };
    decision = decideInbound(msg, context, now);
    return applyDecision(tx, desk, msg, decision, src, now);
  });
  logOutcome(deps.logger, mailbox, msg, applied, decision);
  return { applied, decision, msg };
}

function logOutcome(logger: InboundLogger, mailbox: MailboxInfo, msg: NormalizedMessage, applied: AppliedOutcome, decision: InboundDecision | null) {
  // Business events as structured fields; bodies never reach the info level.
  const fields = {
    mailbox: mailbox.name,
    messageId: msg.messageId,
    from: msg.from?.address,
    outcome: applied.outcome,
    ...("caseNumber" in applied && applied.caseNumber !== undefined ? { case: applied.caseNumber } : {}),
    ...(decision ? { classification: decision.classification.kind, senderAuthorization: decision.authorization } : {}),
  };
  const text: Record<string, string> = {
    "new-case": "case opened",
    thread: "message added to case",
    refuse: "request refused",
    ignore: "automatic mail recorded",
    quarantine: "message quarantined",
    duplicate: "duplicate message skipped",
  };
  logger.info(fields, text[applied.outcome] ?? applied.outcome);
}

export interface DrainSummary {
  fetched: number;
  processed: number;
  failed: number;
  quarantined: number;
}

/**
 * Processes what the source has, batch by batch. Within a batch, unrelated messages (other senders, not
 * answering each other) are applied side by side, up to `deps.concurrency` transactions at once; related
 * ones keep their order. A failing message stops its group and the drain (the cursor must not pass it)
 * until its third failure, when it is quarantined and the mailbox moves on.
 */
export async function drainSource(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo & { folder: string; usesCursor: boolean },
  signal?: AbortSignal,
  batchSize = 20,
): Promise<DrainSummary> {
  const summary: DrainSummary = { fetched: 0, processed: 0, failed: 0, quarantined: 0 };
  for (;;) {
    if (signal?.aborted) return summary;
    const stored = mailbox.usesCursor ? await getCursor(deps.db, mailbox.name, mailbox.folder) : undefined;
    const cursor = stored ? { uidValidity: String(stored.uidValidity), lastUid: String(stored.lastUid) } : null;
    const batch = await source.fetchBatch(cursor, batchSize, signal);
    if (batch.uidValidityChanged) deps.logger.warn({ mailbox: mailbox.name, folder: mailbox.folder }, "UIDVALIDITY changed: reading the folder again; stored Message-IDs prevent duplicates");
    if (batch.messages.length === 0) return summary;
    summary.fetched += batch.messages.length;
    const done = await processBatch(deps, source, mailbox, batch.messages, summary, signal);
    if (mailbox.usesCursor) await advanceCursor(deps, mailbox, batch.messages, done);
    if (done.size < batch.messages.length) return summary;
  }
}

/** The cursor moves past the longest run of finished messages at the start of the batch. */
async function advanceCursor(deps: InboundDeps, mailbox: MailboxInfo & { folder: string }, batch: SourceMessage[], done: Set<SourceMessage>) {
  let last: SourceMessage | undefined;
  for (const m of batch) {
    if (!done.has(m)) break;
    last = m;
  }
  const uidValidity = numeric(last?.key.uidValidity);
  const uid = numeric(last?.key.uid);
  if (uidValidity === null || uid === null) return;
  await setCursor(deps.db, { mailbox: mailbox.name, folder: mailbox.folder, uidValidity, lastUid: uid, updatedAt: new Date(deps.clock.now()) });
}

/** Messages this large are applied one at a time, after the others, to bound the worker's memory. */
const LARGE_MESSAGE_BYTES = 1024 * 1024;

/** Returns the messages that are finished: committed and marked, or quarantined. */
async function processBatch(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo,
  batch: SourceMessage[],
  summary: DrainSummary,
  signal?: AbortSignal,
): Promise<Set<SourceMessage>> {
  const done = new Set<SourceMessage>();
  // Grouped from the headers alone; each message is parsed only when its turn comes, so no more than
  // `concurrency` parsed messages (attachments decoded) are held at once.
  const groups = relatedGroups(batch.map((m) => ({ ...groupingFacts(m.raw), source: m })));
  const large = groups.filter((g) => g.some((m) => m.source.raw.length > LARGE_MESSAGE_BYTES));
  const small = groups.filter((g) => !large.includes(g));
  const runGroup = async (group: typeof groups[number]) => {
    for (const item of group) {
      if (signal?.aborted) return;
      if (!(await processFromSource(deps, source, mailbox, item.source, summary))) return;
      done.add(item.source);
    }
  };
  await runLimited(small, deps.concurrency ?? 4, runGroup);
  await runLimited(large, 1, runGroup);
  return done;
}

/** Runs `work` over `items` with at most `limit` running at once. */
async function runLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  // Every lane finishes before an error surfaces: no work is left running behind the caller's back.
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

async function processFromSource(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, item: SourceMessage, summary: DrainSummary): Promise<boolean> {
  const { key, raw, receivedAt } = item;
  const keyText = sourceKey(key.mailbox, key.uidValidity, `${key.folder}/${key.uid}`);
  let applied: AppliedOutcome;
  try {
    ({ applied } = await processRawMessage(deps, mailbox, raw, { key, receivedAt }));
  } catch (error) {
    return await recordFailure(deps, source, mailbox, item, keyText, error, summary);
  }
  // Committed. A source that cannot mark it now will show it again, and then it is a duplicate:
  // this is not a processing failure and must never send the message to quarantine.
  try {
    if (applied.outcome === "quarantine") {
      await source.quarantine(key, "quarantine" in applied && applied.quarantine ? applied.quarantine : "quarantined");
      summary.quarantined++;
    } else {
      await source.markProcessed(key);
    }
  } catch (error) {
    deps.logger.warn({ mailbox: mailbox.name, uid: key.uid, error: (error as Error).message }, "message committed but not marked in the source; it will be marked when seen again");
    return false;
  }
  if (deps.failedKeys?.has(keyText)) {
    await clearProcessingAttempts(deps.db, keyText);
    deps.failedKeys.delete(keyText);
  }
  summary.processed++;
  return true;
}

/** Counts a failure; on the third, moves the message to quarantine and records it with its bytes. */
async function recordFailure(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo,
  item: SourceMessage,
  keyText: string,
  error: unknown,
  summary: DrainSummary,
): Promise<boolean> {
  const message = error instanceof Error ? error.message : String(error);
  summary.failed++;
  try {
    const attempts = await recordProcessingFailure(deps.db, keyText, message, new Date(deps.clock.now()));
    deps.failedKeys?.add(keyText);
    deps.logger.error({ mailbox: mailbox.name, uid: item.key.uid, attempts, error: message }, "message processing failed");
    if (attempts < MAX_PROCESSING_ATTEMPTS) return false;
    // Moved first, recorded after: a move that fails leaves no half-done quarantine to repeat.
    await source.quarantine(item.key, `failed ${attempts} times: ${message}`);
    await quarantineFailed(deps, mailbox, item, message, attempts);
    await clearProcessingAttempts(deps.db, keyText);
    summary.quarantined++;
    return true;
  } catch (followUp) {
    deps.logger.error({ mailbox: mailbox.name, uid: item.key.uid, error: (followUp as Error).message }, "could not record or quarantine a failing message; it stays in the source");
    return false;
  }
}

async function quarantineFailed(deps: InboundDeps, mailbox: MailboxInfo, item: SourceMessage, error: string, attempts: number) {
  const { key, raw } = item;
  await insertRejection(deps.db, {
    mailbox: mailbox.name,
    messageId: null,
    sourceUidValidity: numeric(key.uidValidity),
    sourceUid: numeric(key.uid),
    from: null,
    subject: null,
    reasonCode: "processing-failed",
    detail: error,
    disposition: "quarantined",
    attempts,
    at: new Date(deps.clock.now()),
    raw,
  });
  deps.logger.warn({ mailbox: mailbox.name, uid: key.uid, attempts }, "message quarantined after repeated failures; the mailbox moves on");
}
