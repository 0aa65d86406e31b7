/**
 * `quarantine retry ID`: a quarantined message runs through intake again (parse → load → decide →
 * apply) with today's config, exactly once. The claim on the record and the intake are one transaction:
 * a retry that fails leaves the message retryable, a second or concurrent retry finds it taken and says so.
 */
import { AppError } from "../errors.js";
import { messageIdentity } from "../cases/records.js";
import { inlineParser } from "../mail/parse-pool.js";
import { claimRetry, forgetQuarantinedInbound, getQuarantined, setRetryOutcome } from "../store/repos/quarantine.js";
import type { MailboxInfo } from "./load.js";
import { applyBatch, inboundSource, logOutcome, type InboundDeps } from "./process.js";

export type RetryResult = { retried: true; outcome: string; caseNumber: number | null } | { retried: false; why: string };

export async function retryQuarantined(deps: InboundDeps, id: number, mailboxOf: (name: string | null) => MailboxInfo): Promise<RetryResult> {
  const row = await getQuarantined(deps.db, id);
  if (!row) throw new AppError("E_NOT_FOUND", `no quarantined message with ID ${id} (see \`support-inbox quarantine list\`)`);
  if (row.retriedAt) return { retried: false, why: alreadyRetried(row) };
  if (!row.raw) return { retried: false, why: `quarantined message ${id} has no raw bytes kept, so it cannot be replayed; find it in the mailbox's quarantine folder` };
  const mailbox = mailboxOf(row.mailbox);
  // Parsed before the transaction: a parse that fails again (a limit not yet raised) takes nothing.
  const msg = await (deps.parser ?? inlineParser).parse(Buffer.from(row.raw), deps.limits);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const claimed = await claimRetry(tx, id, new Date(now));
    if (!claimed) {
      const again = await getQuarantined(tx, id);
      return { retried: false, why: again ? alreadyRetried(again) : `quarantined message ${id} is gone` };
    }
    await forgetQuarantinedInbound(tx, messageIdentity(msg));
    const [result] = await applyBatch(tx, deps.desk, mailbox, deps.config, [{ msg, src: inboundSource(mailbox, undefined, now, row.raw!) }], now);
    const applied = result!.applied;
    const caseNumber = "caseNumber" in applied && applied.caseNumber !== undefined ? applied.caseNumber : null;
    const outcome = `${applied.outcome}${caseNumber !== null ? ` case #${caseNumber}` : ""}`;
    await setRetryOutcome(tx, id, outcome);
    logOutcome(deps.logger, mailbox, msg, result!);
    return { retried: true, outcome: applied.outcome, caseNumber };
  });
}

const alreadyRetried = (row: { id: number; retriedAt: Date | null; retryOutcome: string | null }) =>
  `quarantined message ${row.id} was already retried at ${row.retriedAt?.toISOString()} (${row.retryOutcome ?? "?"}); nothing done`;
