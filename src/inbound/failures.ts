/**
 * What happens to a message after its transaction: marked in its source once committed, or counted as
 * a failure (one attempt per drain) and, on the third, moved to quarantine with its bytes so the mailbox
 * moves on. Meanwhile only the mail that answers it waits (HeldThreads). A failure the
 * database calls transient (a serialization failure, a deadlock, a restart) is not the message's fault
 * and never counts toward quarantine.
 */
import type { MailSource, MessageKey, SourceMessage } from "../sources/types.js";
import { isRetryable } from "../store/errors.js";
import { clearProcessingAttempts, recordProcessingFailure, sourceKey } from "../store/repos/mailboxes.js";
import { receiptInstant } from "../cases/records.js";
import type { AppliedOutcome } from "./apply.js";
import { recordedErrorText } from "./error-text.js";
import { groupingFacts } from "./groups.js";
import type { MailboxInfo } from "./load.js";
import { numericKey, type InboundDeps } from "./process.js";
import { recordQuarantine } from "./quarantine.js";

export const MAX_PROCESSING_ATTEMPTS = 3;

export interface DrainSummary {
  fetched: number;
  processed: number;
  failed: number;
  quarantined: number;
  /** Seconds from each committed message's receipt (receiptInstant) to its commit, for the intake latency histogram. */
  latencySeconds?: number[];
}

/**
 * Mail that answers a message left unfinished in this drain (it failed and has attempts left, or even
 * quarantining it failed): held back until that message is finished, so a reply is never applied before
 * the request it answers. Only its thread waits (grouped from the headers alone, since a failed message
 * may not parse); other mail, its sender's included, goes on. A held message holds its own replies too.
 */
export class HeldThreads {
  private readonly ids = new Set<string>();

  hold(m: SourceMessage): void {
    const { messageId } = groupingFacts(m.raw);
    if (messageId) this.ids.add(messageId);
  }

  /** Whether `m` answers a held message; if so it is held from now on as well. */
  isHeld(m: SourceMessage): boolean {
    if (this.ids.size === 0) return false;
    const facts = groupingFacts(m.raw);
    if (!facts.refersTo.some((id) => this.ids.has(id))) return false;
    if (facts.messageId) this.ids.add(facts.messageId);
    return true;
  }
}

/**
 * After the commit: marks the message in the source (quarantined ones are moved aside). A source that
 * cannot mark it now will show it again, and then it is a duplicate: this is not a processing failure
 * and must never send the message to quarantine.
 */
export async function finishCommitted(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, item: SourceMessage, applied: AppliedOutcome, summary: DrainSummary): Promise<boolean> {
  const { key } = item;
  try {
    if (applied.outcome === "quarantine") {
      await source.quarantine(key, "quarantine" in applied && applied.quarantine ? applied.quarantine : "quarantined");
      summary.quarantined++;
    } else {
      await source.markProcessed(key);
      // Measured here, just after the commit: the receipt instant is the one the SLA clocks start from.
      const now = deps.clock.now();
      (summary.latencySeconds ??= []).push((now - receiptInstant(item, now)) / 1000);
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

/**
 * What became of a failed message: `quarantined` (finished: out of the source, the mailbox moves on),
 * `later` (attempts left, or even recording or quarantining it failed: it stays in the source for the next
 * drain), `transient` (the database's doing, not the message's: never counted).
 */
export type FailureOutcome = "quarantined" | "later" | "transient";

/**
 * Counts a failure; on the last attempt, moves the message to quarantine and records it with its bytes.
 * The error is recorded as storable text (error-text.ts), so recording it cannot fail as the message did.
 */
export async function recordFailure(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, item: SourceMessage, error: unknown, summary: DrainSummary): Promise<FailureOutcome> {
  const keyText = failureKey(item.key);
  const message = recordedErrorText(error);
  summary.failed++;
  if (isRetryable(error)) {
    deps.logger.warn({ mailbox: mailbox.name, uid: item.key.uid, error: message }, "transient database error; the message stays in the source for the next drain");
    return "transient";
  }
  let attempts: number;
  try {
    attempts = await recordProcessingFailure(deps.db, keyText, message, new Date(deps.clock.now()));
    deps.failedKeys?.add(keyText);
    deps.logger.error({ mailbox: mailbox.name, uid: item.key.uid, attempts, error: message }, "message processing failed");
    if (attempts < MAX_PROCESSING_ATTEMPTS) return "later";
    // Moved first, recorded after: a move that fails leaves no half-done quarantine to repeat.
    await source.quarantine(item.key, `failed ${attempts} times: ${message}`);
  } catch (followUp) {
    deps.logger.error({ mailbox: mailbox.name, uid: item.key.uid, error: recordedErrorText(followUp) }, "could not record or quarantine a failing message; it stays in the source for the next drain");
    return "later";
  }
  summary.quarantined++;
  try {
    await quarantineFailed(deps, mailbox, item, message, attempts);
    await clearProcessingAttempts(deps.db, keyText);
  } catch (followUp) {
    // The message is out of the mailbox, in its quarantine folder with its bytes: finished all the same.
    deps.logger.error({ mailbox: mailbox.name, uid: item.key.uid, error: recordedErrorText(followUp) }, "message quarantined in its source but its record could not be written");
  }
  return "quarantined";
}

/**
 * The record of a message moved out of its source into quarantine, and the managers' notice, in one
 * transaction (a quarantine nobody hears of is not visible). Every source-side quarantine goes through here.
 */
async function recordSourceQuarantine(deps: InboundDeps, mailbox: MailboxInfo, item: SourceMessage, why: { reasonCode: string; detail: string; attempts: number }) {
  const { key, raw } = item;
  const now = deps.clock.now();
  const { row } = await deps.db.transaction((tx) => recordQuarantine(tx, deps.desk, {
    mailbox: mailbox.name,
    messageId: null,
    sourceUidValidity: numericKey(key.uidValidity),
    sourceUid: numericKey(key.uid),
    from: null,
    subject: null,
    ...why,
    disposition: "quarantined",
    at: new Date(now),
    raw,
  }, now));
  return row;
}

async function quarantineFailed(deps: InboundDeps, mailbox: MailboxInfo, item: SourceMessage, error: string, attempts: number) {
  const row = await recordSourceQuarantine(deps, mailbox, item, { reasonCode: "processing-failed", detail: error, attempts });
  deps.logger.warn({ mailbox: mailbox.name, uid: item.key.uid, attempts, quarantineId: row.id }, "message quarantined after repeated failures; the mailbox moves on");
}

/**
 * Why a message cannot even be parsed: its source could not read it, or it has no bytes at all (a 0-byte
 * file). Null for every other message. Such a message is no request, no refusal and no duplicate of
 * another empty one: it is quarantined with this reason at once, since trying again cannot help.
 */
export function unusableReason(m: SourceMessage): string | null {
  if (m.unreadable !== undefined) return m.unreadable;
  return m.raw.length === 0 ? "empty message: 0 bytes" : null;
}

/** Moves an unusable message to quarantine and records why (with what bytes there are), so an operator sees it. */
export async function quarantineUnusable(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, item: SourceMessage, reason: string, summary: DrainSummary): Promise<boolean> {
  const { key } = item;
  try {
    await source.quarantine(key, reason);
    await recordSourceQuarantine(deps, mailbox, item, {
      reasonCode: item.unreadable !== undefined ? "unreadable" : "empty",
      detail: reason,
      attempts: 0,
    });
  } catch (error) {
    deps.logger.error({ mailbox: mailbox.name, uid: key.uid, reason, error: recordedErrorText(error) }, "could not quarantine an unusable message; it stays in the source for the next drain");
    return false;
  }
  summary.quarantined++;
  summary.processed++;
  deps.logger.warn({ mailbox: mailbox.name, uid: key.uid, reason }, "message quarantined: it cannot be read");
  return true;
}
