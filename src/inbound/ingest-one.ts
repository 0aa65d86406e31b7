/**
 * One message handed in whole (the `ingest` command's stdin, or the worker's pipe socket), stored or not,
 * and the exit code that tells the MTA what to do:
 *   0  stored (new case, thread entry, refusal, ignored automatic mail, quarantine decision, duplicate);
 *   1  this message cannot be processed: it is recorded as quarantined WITH its raw bytes, so nothing is lost;
 *   75 EX_TEMPFAIL: the desk cannot take mail right now (database down, bad config, unknown mailbox):
 *      the MTA keeps the message and retries.
 * What the operator reads goes to `out` (stdout: the result only; stderr: everything else), so the command
 * writes it to its own streams and the worker sends it back over the socket for the pipe to print.
 */
import type { AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { isRetryable } from "../store/errors.js";
import { attachRawToQuarantined } from "../store/repos/mailboxes.js";
import { caseNumberOfMessage } from "../store/repos/messages.js";
import { recordQuarantine } from "./quarantine.js";
import { recordedErrorText } from "./error-text.js";
import { processRawMessage, type InboundDeps } from "./process.js";
import type { MailboxInfo } from "./load.js";
import { reportPastBreaches } from "./past-breaches.js";

export const EX_TEMPFAIL = 75;

export interface IngestOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's own streams (the `ingest` command). */
export const processOutput: IngestOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Collects what would be printed (the worker's socket answers with it). */
export function bufferedOutput(): IngestOutput & { text: { stdout: string; stderr: string } } {
  const text = { stdout: "", stderr: "" };
  return { text, stdout: (t) => void (text.stdout += t), stderr: (t) => void (text.stderr += t) };
}

export const ingestFail = (out: IngestOutput, code: number, message: string): number => {
  out.stderr(`support-inbox ingest: ${message}\n`);
  return code;
};

export function pickMailbox(ctx: AppContext, name: string | undefined): MailboxInfo | string {
  const all = ctx.config.mailboxes;
  const m = name === undefined ? all[0] : all.find((x) => x.name === name);
  if (!m) return `no mailbox named "${name}" in the config (configured: ${all.map((x) => x.name).join(", ")})`;
  return { name: m.name, address: m.address, defaultPolicy: m.policy };
}

export interface IngestOne {
  mailbox: MailboxInfo;
  raw: Buffer;
  json: boolean;
  /** When the MTA received the message (epoch ms): the case clock starts there. */
  receivedAt: number;
}

/** Stores one message; returns the exit code. Answers 0 only once the message is committed. */
export async function ingestOne(ctx: AppContext, deps: InboundDeps, m: IngestOne, out: IngestOutput): Promise<number> {
  const { mailbox, raw, json, receivedAt } = m;
  try {
    // A time ahead of ours (clock skew) counts from now: receiptInstant never lets a clock start in the future.
    const { applied, msg } = await processRawMessage(deps, mailbox, raw, { receivedAt });
    await summarisePastBreaches(deps, mailbox, out);
    // A quarantine decision (unverified sender) has no IMAP folder to keep the message in: keep its bytes.
    if (applied.outcome === "quarantine") await attachRawToQuarantined(ctx.database.db, mailbox.name, msg.messageId, raw);
    const caseNumber = "caseNumber" in applied && applied.caseNumber !== undefined ? applied.caseNumber : await storedCaseNumber(ctx, msg.messageId);
    const summary = { outcome: applied.outcome, caseNumber, messageId: msg.messageId, mailbox: mailbox.name };
    out.stdout(json ? `${JSON.stringify(summary)}\n` : `${applied.outcome}${caseNumber !== null ? ` case #${caseNumber}` : ""} ${msg.messageId ? `<${msg.messageId}>` : "(no Message-ID)"}\n`);
    return 0;
  } catch (error) {
    // Database unreachable, restarting or overloaded (store/errors.ts): the same message will go through later.
    if (isRetryable(error)) return ingestFail(out, EX_TEMPFAIL, `${messageOf(error)} (temporary failure: the MTA keeps the message and retries)`);
    return quarantine(ctx, deps, m, error, out);
  }
}

/**
 * Breaches already past at --received-at: one summary to the managers, as a worker's drain does. The message is
 * stored by now, so a failure here only warns: the breaches wait for the next drain or ingest to be summarised.
 */
async function summarisePastBreaches(deps: InboundDeps, mailbox: MailboxInfo, out: IngestOutput): Promise<void> {
  try {
    await reportPastBreaches(deps, mailbox.name);
  } catch (error) {
    out.stderr(`support-inbox ingest: warning: stored, but the summary of breaches already past was not queued (${messageOf(error)}); the next drain sends it\n`);
  }
}

/** The message cannot be processed: keep it, raw bytes and all, where an operator finds it. */
async function quarantine(ctx: AppContext, deps: InboundDeps, m: IngestOne, error: unknown, out: IngestOutput): Promise<number> {
  const code = error instanceof AppError ? error.code : "processing-failed";
  let id: number;
  try {
    // The record and the notice to the managers in one transaction (inbound/quarantine.ts).
    const now = ctx.clock.now();
    ({ id } = (await ctx.database.db.transaction((tx) => recordQuarantine(tx, deps.desk, {
      mailbox: m.mailbox.name, messageId: null, sourceUidValidity: null, sourceUid: null, from: null, subject: null,
      reasonCode: code, detail: recordedErrorText(error), disposition: "quarantined", attempts: 1, at: new Date(now), raw: m.raw,
    }, now))).row);
  } catch (recordError) {
    return ingestFail(out, EX_TEMPFAIL, `${messageOf(error)}; recording it as quarantined failed too (${messageOf(recordError)}), so the MTA should retry`);
  }
  if (m.json) out.stdout(`${JSON.stringify({ outcome: "quarantined", rejectionId: id, error: code, mailbox: m.mailbox.name })}\n`);
  return ingestFail(out, 1, `message not accepted: ${messageOf(error)}; kept with its raw bytes as quarantined rejection #${id} (${code})`);
}

/** A duplicate's case: the one the first copy joined or opened (null when it opened none). */
async function storedCaseNumber(ctx: AppContext, messageId: string | null): Promise<number | null> {
  if (!messageId) return null;
  return caseNumberOfMessage(ctx.database.db, messageId);
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
