/**
 * The inbound pipeline's shell: source → parse → (load → decide → apply in ONE transaction) → mark the
 * source message processed only after the commit. A crash anywhere leaves the message in the source
 * to be fetched again, and the stored Message-ID turns that second pass into a no-op.
 * A message that fails 3 times is quarantined and the mailbox moves on.
 *
 * A drained mailbox goes batch by batch: the next batch is fetched while the current one is parsed
 * (on the parser's threads) and applied, most of it in one transaction (inbound-batch.ts) and the rest
 * (replies, correspondence) one message per transaction (processParsedMessage).
 */
import type { Clock } from "../clock/clock.js";
import type { InboundConfig, InboundDecision } from "../cases/inbound.js";
import { decideInbound } from "../cases/decide.js";
import type { ParseLimits, NormalizedMessage } from "../mail/message.js";
import { inlineParser, type MessageParser } from "../mail/parse-pool.js";
import type { Cursor, MailSource, MessageKey, SourceMessage } from "../sources/types.js";
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
import { groupingFacts, relatedGroups } from "./groups.js";
import type { Desk } from "../desk.js";
import { alreadyStored, applyDecision, type AppliedOutcome, type InboundSource } from "./apply.js";
import { applyBatch, type BatchItem, type BatchResult } from "./batch.js";
import { loadInboundContext, type MailboxInfo } from "./load.js";
import type { MemoryBudget } from "../worker/memory.js";

export const MAX_PROCESSING_ATTEMPTS = 3;

export type InboundLogger = WorkLogger;

export interface InboundDeps {
  db: Db;
  desk: Desk;
  clock: Clock;
  logger: InboundLogger;
  config: InboundConfig;
  limits: ParseLimits;
  /** Where MIME parsing runs (default: on this thread). */
  parser?: MessageParser;
  /** Called after each batch that committed something, so queued replies can go out during a long drain. */
  onCommitted?: () => void;
  /** Told the bytes of every batch handled, so the worker can give their memory back (memory.ts). */
  memory?: MemoryBudget;
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
  return processParsedMessage(deps, mailbox, await (deps.parser ?? inlineParser).parse(raw, deps.limits), source);
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
  const src: InboundSource = source.key ? inboundSource(mailbox, source.key, source.receivedAt) : { mailbox, uidValidity: null, uid: null, receivedAt: source.receivedAt };
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

/** How much one fetched batch may hold: the worker keeps about three in memory (fetching, parsing, applying). */
export const DEFAULT_BATCH = { messages: 100, bytes: 8 * 1024 * 1024 };

/**
 * Processes what the source has, batch by batch, fetching the next batch while the current one is
 * parsed and applied. A failing message holds back the later messages related to it (same sender, or
 * answering it) and stops the drain after its batch (the cursor must not pass it), until its third
 * failure, when it is quarantined and the mailbox moves on.
 */
export async function drainSource(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo & { folder: string; usesCursor: boolean },
  signal?: AbortSignal,
  batchLimits: { messages: number; bytes: number } = DEFAULT_BATCH,
): Promise<DrainSummary> {
  const summary: DrainSummary = { fetched: 0, processed: 0, failed: 0, quarantined: 0 };
  const parser = deps.parser ?? inlineParser;
  // Fetching and parsing a batch needs nothing from the database: it runs while the previous batch is applied.
  const prepare = (cursor: Cursor | null) => {
    const prepared = source.fetchBatch(cursor, batchLimits.messages, signal, batchLimits.bytes).then(async (batch) => ({ batch, parsed: await parseAll(parser, batch.messages, deps.limits) }));
    // Until awaited, a failed prefetch must not surface as an unhandled rejection.
    prepared.catch(() => undefined);
    return prepared;
  };
  const stored = mailbox.usesCursor ? await getCursor(deps.db, mailbox.name, mailbox.folder) : undefined;
  let next = prepare(stored ? { uidValidity: String(stored.uidValidity), lastUid: String(stored.lastUid) } : null);
  for (;;) {
    if (signal?.aborted) return settle(next, summary);
    const { batch, parsed } = await next;
    if (batch.uidValidityChanged) deps.logger.warn({ mailbox: mailbox.name, folder: mailbox.folder }, "UIDVALIDITY changed: reading the folder again; stored Message-IDs prevent duplicates");
    if (batch.messages.length === 0) return summary;
    summary.fetched += batch.messages.length;
    next = prepare(batch.cursor);
    const done = await processBatch(deps, source, mailbox, batch.messages, parsed, summary, signal);
    if (done.size > 0) deps.onCommitted?.();
    deps.memory?.spend(batch.messages.reduce((sum, m) => sum + m.raw.length, 0));
    if (mailbox.usesCursor) await advanceCursor(deps, mailbox, batch.messages, done);
    if (done.size < batch.messages.length) return settle(next, summary);
  }
}

type ParseResult = NormalizedMessage | { error: unknown };

/** Parses a batch as many at a time as the parser can use (a pool's threads stay busy, inline parsing holds one decoded message). */
async function parseAll(parser: MessageParser, raws: SourceMessage[], limits: ParseLimits): Promise<ParseResult[]> {
  const results: ParseResult[] = new Array(raws.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < raws.length; i = next++) {
      results[i] = await parser.parse(raws[i]!.raw, limits).then((msg) => msg, (error: unknown) => ({ error }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, parser.inFlight), raws.length) }, lane));
  return results;
}

/**
 * A prefetched batch that will not be used: its messages stay in the source for the next drain, and a
 * failure to fetch it surfaces there again, at that drain's first fetch.
 */
async function settle(pending: Promise<unknown>, summary: DrainSummary): Promise<DrainSummary> {
  await pending.catch(() => undefined);
  return summary;
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

/**
 * One fetched and parsed batch: the common outcomes applied
 * together in one transaction (inbound-batch.ts), then the deferred ones (replies, correspondence)
 * one by one in their original order. Returns the messages that are finished: committed and marked,
 * or quarantined.
 */
async function processBatch(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo,
  batch: SourceMessage[],
  parsed: ParseResult[],
  summary: DrainSummary,
  signal?: AbortSignal,
): Promise<Set<SourceMessage>> {
  const done = new Set<SourceMessage>();
  const blocked = new BlockedGroups(batch);
  const items: Array<{ source: SourceMessage; item: BatchItem }> = [];
  for (const [i, m] of batch.entries()) {
    const result = parsed[i]!;
    if ("error" in result) {
      if (await recordFailure(deps, source, mailbox, m, result.error, summary)) done.add(m);
      else blocked.fail(m);
    } else if (!blocked.isHeld(m)) {
      items.push({ source: m, item: { msg: result, src: inboundSource(mailbox, m.key, m.receivedAt) } });
    }
  }
  if (signal?.aborted || items.length === 0) return done;
  let results: BatchResult[];
  try {
    results = await deps.db.transaction((tx) => applyBatch(tx, deps.desk, mailbox, deps.config, items.map((x) => x.item), deps.clock.now()));
  } catch (error) {
    // One bad message must not hold back the others: each is tried alone, with its own failure count.
    deps.logger.warn({ mailbox: mailbox.name, messages: items.length, error: (error as Error).message }, "batch transaction failed; applying its messages one by one");
    results = items.map(() => ({ deferred: true }));
  }
  await Promise.all(
    items.map(async ({ source: m, item }, i) => {
      const r = results[i]!;
      if (r.deferred) return;
      logOutcome(deps.logger, mailbox, item.msg, r.applied, r.decision);
      if (await finishCommitted(deps, source, mailbox, m, r.applied, summary)) done.add(m);
    }),
  );
  for (const [i, { source: m, item }] of items.entries()) {
    if (!results[i]!.deferred || blocked.isHeld(m)) continue;
    if (signal?.aborted) break;
    let applied: AppliedOutcome;
    try {
      ({ applied } = await processParsedMessage(deps, mailbox, item.msg, { key: m.key, receivedAt: m.receivedAt }));
    } catch (error) {
      if (await recordFailure(deps, source, mailbox, m, error, summary)) done.add(m);
      else blocked.fail(m);
      continue;
    }
    if (await finishCommitted(deps, source, mailbox, m, applied, summary)) done.add(m);
  }
  return done;
}

const inboundSource = (mailbox: MailboxInfo, key: MessageKey, receivedAt: number | null): InboundSource => ({
  mailbox,
  uidValidity: numeric(key.uidValidity),
  uid: numeric(key.uid),
  receivedAt,
});

/**
 * Messages of a batch held back by an earlier failure: the later messages of the failed one's sender
 * or thread (grouped from the headers alone, since a failed message may not parse), so a reply is
 * never applied before the request it answers.
 */
class BlockedGroups {
  private readonly groupOf = new Map<SourceMessage, number>();
  private readonly failedAt = new Map<number, number>();
  private readonly position = new Map<SourceMessage, number>();

  constructor(batch: SourceMessage[]) {
    const groups = relatedGroups(batch.map((m) => ({ ...groupingFacts(m.raw), source: m })));
    groups.forEach((g, gi) => g.forEach((m) => this.groupOf.set(m.source, gi)));
    batch.forEach((m, i) => this.position.set(m, i));
  }

  fail(m: SourceMessage): void {
    const g = this.groupOf.get(m)!;
    const at = this.position.get(m)!;
    this.failedAt.set(g, Math.min(this.failedAt.get(g) ?? at, at));
  }

  isHeld(m: SourceMessage): boolean {
    const at = this.failedAt.get(this.groupOf.get(m)!);
    return at !== undefined && this.position.get(m)! > at;
  }
}

/**
 * After the commit: marks the message in the source (quarantined ones are moved aside). A source that
 * cannot mark it now will show it again, and then it is a duplicate: this is not a processing failure
 * and must never send the message to quarantine.
 */
async function finishCommitted(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, item: SourceMessage, applied: AppliedOutcome, summary: DrainSummary): Promise<boolean> {
  const { key } = item;
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
  const keyText = failureKey(key);
  if (deps.failedKeys?.has(keyText)) {
    await clearProcessingAttempts(deps.db, keyText);
    deps.failedKeys.delete(keyText);
  }
  summary.processed++;
  return true;
}

const failureKey = (key: MessageKey) => sourceKey(key.mailbox, key.uidValidity, `${key.folder}/${key.uid}`);

/** Counts a failure; on the third, moves the message to quarantine and records it with its bytes. */
async function recordFailure(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, item: SourceMessage, error: unknown, summary: DrainSummary): Promise<boolean> {
  const keyText = failureKey(item.key);
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
