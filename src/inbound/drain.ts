/**
 * The inbound pipeline's shell: source → parse → (load → decide → apply in ONE transaction, process.ts)
 * → mark the source message processed only after the commit. A crash anywhere leaves the message in the
 * source to be fetched again, and the stored Message-ID turns that second pass into a no-op. A message
 * that fails 3 times is quarantined and the mailbox moves on (failures.ts).
 *
 * A drained mailbox goes batch by batch: the next batch is fetched while the current one is parsed (on
 * the parser's threads) and applied. Bad mail costs its own attempts and nothing else.
 */
import type { MessageParser, NormalizedMessage, ParseLimits } from "../mail/message.js";
import { inlineParser } from "../mail/parse-pool.js";
import type { Cursor, MailSource, SourceMessage } from "../sources/types.js";
import { getCursor, setCursor } from "../store/repos/mailboxes.js";
import { isConnectionLoss, isRetryable } from "../store/errors.js";
import { retryTransient } from "../store/retry.js";
import type { AppliedOutcome } from "./apply.js";
import { recordedErrorText } from "./error-text.js";
import { finishCommitted, HeldThreads, quarantineUnusable, recordFailure, unusableReason, type DrainSummary } from "./failures.js";
import type { MailboxInfo } from "./load.js";
import { reportPastBreaches } from "./past-breaches.js";
import { applyBatch, inboundSource, logOutcome, numericKey, processParsedMessage, type BatchItem, type InboundDeps, type ItemResult } from "./process.js";

export type { DrainSummary } from "./failures.js";

/** How much one fetched batch may hold: the worker keeps about three in memory (fetching, parsing, applying). */
export const DEFAULT_BATCH = { messages: 100, bytes: 8 * 1024 * 1024 };

/**
 * Processes what the source has, batch by batch, fetching the next batch while the current one is
 * parsed and applied, for as long as there is mail. A failing message gets one attempt per drain (the
 * wait for the next drain is its backoff) and is quarantined on its third; meanwhile only the mail that
 * answers it is held back (HeldThreads), and the stored cursor never passes it, so a source that reads
 * from the cursor (IMAP) shows it again next drain. Within a drain the fetches go on after what was
 * handed out, and a message is tried at most once (a Maildir lists what is still in new/ again), so the
 * drain ends once the source has nothing new. It stops early only when the database itself fails
 * (a transient error that outlasted its retries): the next drain starts over.
 */
export async function drainSource(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo & { folder: string; usesCursor: boolean },
  signal?: AbortSignal,
  batchLimits: { messages: number; bytes: number } = DEFAULT_BATCH,
): Promise<DrainSummary> {
  const summary = await drainBatches(deps, source, mailbox, signal, batchLimits);
  // Once what was waiting is read: breaches already past on arrival go to the managers as one mail, not one per case.
  if (summary.processed > 0 && !signal?.aborted) {
    const { queued } = await reportPastBreaches(deps, mailbox.name, signal);
    if (queued > 0) deps.onCommitted?.();
  }
  return summary;
}

async function drainBatches(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo & { folder: string; usesCursor: boolean },
  signal: AbortSignal | undefined,
  batchLimits: { messages: number; bytes: number },
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
  const held = new HeldThreads();
  const tried = new Set<string>();
  // Once a message is left unfinished, the stored cursor stays before it for the rest of the drain.
  let cursorHeld = false;
  const stored = mailbox.usesCursor ? await getCursor(deps.db, mailbox.name, mailbox.folder) : undefined;
  let next = prepare(stored ? { uidValidity: String(stored.uidValidity), lastUid: String(stored.lastUid) } : null);
  for (;;) {
    if (signal?.aborted) return settle(next, summary);
    const { batch, parsed } = await next;
    if (batch.uidValidityChanged) deps.logger.warn({ mailbox: mailbox.name, folder: mailbox.folder }, "UIDVALIDITY changed: reading the folder again; stored Message-IDs prevent duplicates");
    if (batch.messages.length === 0) return summary;
    next = prepare(batch.cursor);
    const fresh: Fresh[] = [];
    batch.messages.forEach((m, i) => {
      const key = keyOf(m);
      if (tried.has(key)) return;
      tried.add(key);
      fresh.push({ source: m, parsed: parsed[i]! });
    });
    summary.fetched += fresh.length;
    if (deps.pace) await deps.pace.wait(signal);
    const { done, stop } = await processBatch(deps, source, mailbox, fresh, held, summary, signal);
    if (done.size > 0) deps.onCommitted?.();
    deps.memory?.spend(batch.messages.reduce((sum, m) => sum + m.raw.length, 0));
    if (mailbox.usesCursor && !cursorHeld) cursorHeld = !(await advanceCursor(deps, mailbox, batch.messages, done));
    if (stop) return settle(next, summary);
  }
}

const keyOf = (m: SourceMessage): string => `${m.key.folder}/${m.key.uidValidity}/${m.key.uid}`;

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

/**
 * The cursor moves past the longest run of finished messages at the start of the batch. Returns whether
 * that was the whole batch, i.e. whether a later batch may move it on.
 */
async function advanceCursor(deps: InboundDeps, mailbox: MailboxInfo & { folder: string }, batch: SourceMessage[], done: Set<SourceMessage>): Promise<boolean> {
  let last: SourceMessage | undefined;
  let finished = 0;
  for (const m of batch) {
    if (!done.has(m)) break;
    last = m;
    finished++;
  }
  const uidValidity = numericKey(last?.key.uidValidity);
  const uid = numericKey(last?.key.uid);
  if (uidValidity !== null && uid !== null) await setCursor(deps.db, { mailbox: mailbox.name, folder: mailbox.folder, uidValidity, lastUid: uid, updatedAt: new Date(deps.clock.now()) });
  return finished === batch.length;
}

interface Fresh {
  source: SourceMessage;
  parsed: ParseResult;
}

/**
 * One fetched and parsed batch, applied in one transaction (retried while the database reports a
 * transient error). If it still fails, each message is tried alone with its own failure count, so one
 * bad message costs one attempt of its own and holds back only the mail that answers it. Returns the
 * messages that are finished (committed and marked, or quarantined), and whether the drain must stop
 * because the database, not a message, is failing.
 */
async function processBatch(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo,
  batch: Fresh[],
  held: HeldThreads,
  summary: DrainSummary,
  signal?: AbortSignal,
): Promise<{ done: Set<SourceMessage>; stop: boolean }> {
  const done = new Set<SourceMessage>();
  let stop = false;
  const failed = async (m: SourceMessage, error: unknown) => {
    const outcome = await recordFailure(deps, source, mailbox, m, error, summary);
    if (outcome === "quarantined") return void done.add(m);
    held.hold(m);
    if (outcome === "transient") stop = true;
  };
  const items: Array<{ source: SourceMessage; item: BatchItem }> = [];
  for (const { source: m, parsed: result } of batch) {
    if (held.isHeld(m) || stop) continue;
    const unusable = unusableReason(m);
    if (unusable !== null) {
      if (await quarantineUnusable(deps, source, mailbox, m, unusable, summary)) done.add(m);
    } else if ("error" in result) await failed(m, result.error);
    else items.push({ source: m, item: { msg: result, src: inboundSource(mailbox, m.key, m.receivedAt, m.raw) } });
  }
  if (signal?.aborted || stop || items.length === 0) return { done, stop };
  let results: ItemResult[] | null = null;
  try {
    const apply = () => deps.db.transaction((tx) => applyBatch(tx, deps.desk, mailbox, deps.config, items.map((x) => x.item), deps.clock.now()));
    results = await retryTransient(apply, signal ? { signal } : {});
  } catch (error) {
    // Without the database no message can succeed alone either: the worker waits for it (worker/database-watch.ts).
    if (isConnectionLoss(error)) throw error;
    // A conflict (serialization failure, deadlock) that outlasted its retries: alone would only wait longer.
    if (isRetryable(error)) {
      deps.logger.warn({ mailbox: mailbox.name, messages: items.length, error: recordedErrorText(error) }, "batch transaction failed on a database error; the drain stops and the next one tries again");
      return { done, stop: true };
    }
    deps.logger.warn({ mailbox: mailbox.name, messages: items.length, error: recordedErrorText(error) }, "batch transaction failed; applying its messages one by one");
  }
  if (results) {
    await Promise.all(items.map(async ({ source: m, item }, i) => finish(deps, source, mailbox, m, item.msg, results[i]!, summary, done)));
    return { done, stop };
  }
  for (const { source: m, item } of items) {
    if (signal?.aborted || stop) break;
    if (held.isHeld(m)) continue;
    let applied: AppliedOutcome;
    try {
      ({ applied } = await retryTransient(() => processParsedMessage(deps, mailbox, item.msg, { key: m.key, receivedAt: m.receivedAt, raw: m.raw }), signal ? { signal } : {}));
    } catch (error) {
      if (isConnectionLoss(error)) throw error;
      await failed(m, error);
      continue;
    }
    if (await finishCommitted(deps, source, mailbox, m, applied, summary)) done.add(m);
  }
  return { done, stop };
}

async function finish(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, m: SourceMessage, msg: NormalizedMessage, result: ItemResult, summary: DrainSummary, done: Set<SourceMessage>) {
  logOutcome(deps.logger, mailbox, msg, result);
  if (await finishCommitted(deps, source, mailbox, m, result.applied, summary)) done.add(m);
}
