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
import type { MailSource, MessageKey } from "../sources/types.js";
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
}

export interface ProcessedMessage {
  applied: AppliedOutcome;
  decision: InboundDecision | null;
  msg: NormalizedMessage;
}

const numeric = (s: string | undefined): number | null => (s !== undefined && /^\d+$/.test(s) ? Number(s) : null);

/** Parses and applies one raw message; the cursor (IMAP) is stored in the same transaction. */
export async function processRawMessage(
  deps: InboundDeps,
  mailbox: MailboxInfo,
  raw: Buffer,
  source: { key?: MessageKey; receivedAt: number | null },
): Promise<ProcessedMessage> {
  const { db, desk, clock, config } = deps;
  const now = clock.now();
  const msg = await parseMessage(raw, deps.limits);
  const src: InboundSource = {
    mailbox,
    uidValidity: numeric(source.key?.uidValidity),
    uid: numeric(source.key?.uid),
    receivedAt: source.receivedAt,
  };
  let decision: InboundDecision | null = null;
  const applied = await db.transaction(async (tx): Promise<AppliedOutcome> => {
    const result = (await alreadyStored(tx, msg))
      ? ({ outcome: "duplicate" } as const)
      : await (async () => {
          const context = await loadInboundContext(tx, msg, mailbox, desk.policies, config, now);
          decision = decideInbound(msg, context, now);
          return applyDecision(tx, desk, msg, decision, src, now);
        })();
    if (source.key && src.uidValidity !== null && src.uid !== null) {
      await setCursor(tx, { mailbox: mailbox.name, folder: source.key.folder, uidValidity: src.uidValidity, lastUid: src.uid, updatedAt: new Date(now) });
    }
    return result;
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
 * Processes what the source has, batch by batch. A failing message stops the batch (the cursor must not
 * pass it) until its third failure, when it is quarantined and the mailbox moves on.
 */
export async function drainSource(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo & { folder: string; usesCursor: boolean },
  signal?: AbortSignal,
  batchSize = 50,
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
    for (const m of batch.messages) {
      if (signal?.aborted) return summary;
      const ok = await processFromSource(deps, source, mailbox, m.key, m.raw, m.receivedAt, summary);
      if (!ok) return summary;
    }
  }
}

async function processFromSource(
  deps: InboundDeps,
  source: MailSource,
  mailbox: MailboxInfo,
  key: MessageKey,
  raw: Buffer,
  receivedAt: number | null,
  summary: DrainSummary,
): Promise<boolean> {
  const keyText = sourceKey(key.mailbox, key.uidValidity, `${key.folder}/${key.uid}`);
  try {
    const { applied } = await processRawMessage(deps, mailbox, raw, { key, receivedAt });
    if (applied.outcome === "quarantine") {
      await source.quarantine(key, "quarantine" in applied && applied.quarantine ? applied.quarantine : "quarantined");
      summary.quarantined++;
    } else {
      await source.markProcessed(key);
    }
    await clearProcessingAttempts(deps.db, keyText);
    summary.processed++;
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const attempts = await recordProcessingFailure(deps.db, keyText, message, new Date(deps.clock.now()));
    summary.failed++;
    deps.logger.error({ mailbox: mailbox.name, uid: key.uid, attempts, error: message }, "message processing failed");
    if (attempts < MAX_PROCESSING_ATTEMPTS) return false;
    await quarantineFailed(deps, source, mailbox, key, raw, message, attempts);
    await clearProcessingAttempts(deps.db, keyText);
    summary.quarantined++;
    return true;
  }
}

async function quarantineFailed(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, key: MessageKey, raw: Buffer, error: string, attempts: number) {
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
  await source.quarantine(key, `failed ${attempts} times: ${error}`);
  deps.logger.warn({ mailbox: mailbox.name, uid: key.uid, attempts }, "message quarantined after repeated failures; the mailbox moves on");
}
