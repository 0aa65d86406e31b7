/**
 * One inbound path: load → decide → apply, for a drained batch of mail and for a single message alike
 * (the `ingest` command, tests), which is a batch of one. All of a batch is applied in the caller's
 * transaction, round by round (decide.ts says why a batch can take more than one round).
 */
import type { Clock } from "../clock/clock.js";
import type { InboundConfig, InboundDecision } from "../cases/inbound-decision.js";
import type { InboundSource } from "../cases/records.js";
import type { Desk } from "../desk.js";
import type { WorkLogger } from "../log/work-logger.js";
import type { MessageParser, NormalizedMessage, ParseLimits } from "../mail/message.js";
import { inlineParser } from "../mail/parse-pool.js";
import type { MessageKey } from "../sources/types.js";
import type { Db } from "../store/database.js";
import type { MemoryBudget } from "./memory.js";
import { applyRound, type AppliedOutcome, type RoundItem } from "./apply.js";
import { decideRound } from "./decide.js";
import { loadBatchFacts, type MailboxInfo } from "./load.js";

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
  /** Waited on before each batch of a drain, so intake keeps the outbox's pace (outbox-pace.ts). */
  pace?: { wait(signal?: AbortSignal): Promise<number> };
}

export interface BatchItem {
  msg: NormalizedMessage;
  src: InboundSource;
}

export interface ItemResult {
  applied: AppliedOutcome;
  /** null for a duplicate. */
  decision: InboundDecision | null;
}

export interface ProcessedMessage extends ItemResult {
  msg: NormalizedMessage;
}

const DUPLICATE: ItemResult = { applied: { outcome: "duplicate" }, decision: null };

/** Applies a batch in the caller's transaction; one result per item, in order. */
export async function applyBatch(tx: Db, desk: Desk, mailbox: MailboxInfo, config: InboundConfig, items: BatchItem[], now: number): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const env = { mailbox, policies: desk.policies, config };
  for (let rest = items; rest.length > 0; ) {
    const msgs = rest.map((i) => i.msg);
    const facts = await loadBatchFacts(tx, msgs, config, now, desk.policies);
    const { decided } = decideRound(msgs, facts, env, now);
    const planned: Array<RoundItem & { at: number }> = decided.flatMap((d, at) => (d.duplicate ? [] : [{ ...rest[at]!, decision: d.decision, at }]));
    const applied = await applyRound(tx, desk, facts, planned, now);
    const round: ItemResult[] = decided.map(() => DUPLICATE);
    planned.forEach((p, k) => {
      const outcome = applied[k]!;
      round[p.at] = outcome.outcome === "duplicate" ? DUPLICATE : { applied: outcome, decision: p.decision };
    });
    results.push(...round);
    rest = rest.slice(decided.length);
  }
  return results;
}

export const numericKey = (s: string | undefined): number | null => (s !== undefined && /^\d+$/.test(s) ? Number(s) : null);

export const inboundSource = (mailbox: MailboxInfo, key: MessageKey | undefined, receivedAt: number | null, raw?: Uint8Array): InboundSource => ({
  mailbox,
  uidValidity: numericKey(key?.uidValidity),
  uid: numericKey(key?.uid),
  receivedAt,
  ...(raw ? { raw } : {}),
});

/** Parses and applies one raw message (the `ingest` command, tests). */
export async function processRawMessage(
  deps: InboundDeps,
  mailbox: MailboxInfo,
  raw: Buffer,
  source: { key?: MessageKey; receivedAt: number | null },
): Promise<ProcessedMessage> {
  return processParsedMessage(deps, mailbox, await (deps.parser ?? inlineParser).parse(raw, deps.limits), { ...source, raw });
}

/** One parsed message as a batch of one, in its own transaction. */
export async function processParsedMessage(
  deps: InboundDeps,
  mailbox: MailboxInfo,
  msg: NormalizedMessage,
  source: { key?: MessageKey; receivedAt: number | null; raw?: Uint8Array },
): Promise<ProcessedMessage> {
  const item = { msg, src: inboundSource(mailbox, source.key, source.receivedAt, source.raw) };
  const [result] = await deps.db.transaction((tx) => applyBatch(tx, deps.desk, mailbox, deps.config, [item], deps.clock.now()));
  logOutcome(deps.logger, mailbox, msg, result!);
  return { ...result!, msg };
}

const OUTCOME_TEXT: Record<string, string> = {
  "new-case": "case opened",
  thread: "message added to case",
  refuse: "request refused",
  ignore: "automatic mail recorded",
  quarantine: "message quarantined",
  duplicate: "duplicate message skipped",
};

export function logOutcome(logger: InboundLogger, mailbox: MailboxInfo, msg: NormalizedMessage, { applied, decision }: ItemResult) {
  // Business events as structured fields; bodies never reach the info level.
  const fields = {
    mailbox: mailbox.name,
    messageId: msg.messageId,
    from: msg.from?.address,
    outcome: applied.outcome,
    ...("caseNumber" in applied && applied.caseNumber !== undefined ? { case: applied.caseNumber } : {}),
    ...(decision ? { classification: decision.classification.kind, senderAuthorization: decision.authorization } : {}),
  };
  logger.info(fields, OUTCOME_TEXT[applied.outcome] ?? applied.outcome);
  const withheld = decision?.outcome === "new-case" ? decision.acknowledgmentWithheld : undefined;
  if (withheld) logger.warn({ ...fields, reason: withheld.reason }, withheld.later ? "acknowledgment held by the per-sender cap; it goes out combined when the hour's window allows" : "acknowledgment withheld");
  if (decision?.outcome === "refuse" && decision.replyWithheld) logger.warn({ ...fields, reason: decision.replyWithheld }, "refusal not sent");
  const complaint = decision && (decision.outcome === "thread" || decision.outcome === "ignore") ? decision.complaintAbout : undefined;
  if (complaint?.length) logger.warn({ ...fields, reported: complaint }, "feedback report (complaint) about our mail: no more automatic mail to its recipients");
}
