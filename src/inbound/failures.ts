/**
 * What happens to a message after its transaction: marked in its source once committed, or counted as
 * a failure and, on the third, moved to quarantine with its bytes so the mailbox moves on. A failure the
 * database calls transient (a serialization failure, a deadlock, a restart) is not the message's fault
 * and never counts toward quarantine.
 */
import type { MailSource, MessageKey, SourceMessage } from "../sources/types.js";
import { isRetryable } from "../store/errors.js";
import { clearProcessingAttempts, insertRejection, recordProcessingFailure, sourceKey } from "../store/repos/mailboxes.js";
import type { AppliedOutcome } from "./apply.js";
import { groupingFacts, relatedGroups } from "./groups.js";
import type { MailboxInfo } from "./load.js";
import { numericKey, type InboundDeps } from "./process.js";

export const MAX_PROCESSING_ATTEMPTS = 3;

export interface DrainSummary {
  fetched: number;
  processed: number;
  failed: number;
  quarantined: number;
}

/**
 * Messages of a batch held back by an earlier failure: the later messages of the failed one's sender
 * or thread (grouped from the headers alone, since a failed message may not parse), so a reply is
 * never applied before the request it answers.
 */
export class BlockedGroups {
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
export async function finishCommitted(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, item: SourceMessage, applied: AppliedOutcome, summary: DrainSummary): Promise<boolean> {
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

/**
 * Counts a failure; on the third, moves the message to quarantine and records it with its bytes.
 * Returns whether the message is finished (quarantined).
 */
export async function recordFailure(deps: InboundDeps, source: MailSource, mailbox: MailboxInfo, item: SourceMessage, error: unknown, summary: DrainSummary): Promise<boolean> {
  const keyText = failureKey(item.key);
  const message = error instanceof Error ? error.message : String(error);
  summary.failed++;
  if (isRetryable(error)) {
    deps.logger.warn({ mailbox: mailbox.name, uid: item.key.uid, error: message }, "transient database error; the message stays in the source for the next drain");
    return false;
  }
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
    sourceUidValidity: numericKey(key.uidValidity),
    sourceUid: numericKey(key.uid),
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
