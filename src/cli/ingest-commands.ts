/**
 * `support-inbox ingest [--mailbox NAME] [--json] [--dry-run] < message.eml`: one message from stdin, for an
 * MTA pipe (like Request Tracker's rt-mailgate). The exit code is the contract with the MTA:
 *   0  stored (new case, thread entry, refusal, ignored automatic mail, quarantine decision, duplicate);
 *   1  this message cannot be processed: it is recorded as quarantined WITH its raw bytes, so nothing is lost;
 *   75 EX_TEMPFAIL: the desk cannot take mail right now (database down, bad config, unknown mailbox):
 *      the MTA keeps the message and retries.
 * Nothing is sent here: the worker's outbox loop delivers the acknowledgment.
 */
import type { Command } from "commander";
import { createCliContext, type AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { isRetryable, isUndefinedTable } from "../store/errors.js";
import { attachRawToQuarantined } from "../store/repos/mailboxes.js";
import { recordQuarantine } from "../inbound/quarantine.js";
import { caseNumberOfMessage } from "../store/repos/messages.js";
import { deskFromConfig } from "../desk.js";
import { recordedErrorText } from "../inbound/error-text.js";
import { dryRunRawMessage, formatDryRun } from "../inbound/dry-run.js";
import { processRawMessage } from "../inbound/process.js";
import type { MailboxInfo } from "../inbound/load.js";
import { inboundDepsFor } from "../inbound/deps-from-config.js";
import { reportPastBreaches } from "../inbound/past-breaches.js";
import { parseReceivedAt } from "./received-at.js";

export const EX_TEMPFAIL = 75;

interface IngestOptions {
  mailbox?: string;
  /** When the MTA received the message (the case clock starts there); default: the time of the call. */
  receivedAt?: string;
  json?: boolean;
  dryRun?: boolean;
}

export function registerIngestCommands(program: Command): void {
  program
    .command("ingest")
    .description("store one message read from stdin (for an MTA pipe); --dry-run shows the decision without writing")
    .option("--mailbox <name>", "the configured mailbox the message arrived at (default: the first one)")
    .option("--received-at <instant>", "when the MTA received the message (ISO 8601 with offset, or RFC 2822): the SLA clock starts there; default: now")
    .option("--dry-run", "parse, classify, authorize, thread and read the template, but write nothing")
    .option("--json", "print the result as one JSON object")
    .action(async (opts: IngestOptions, command: Command) => {
      const { config } = command.optsWithGlobals<{ config?: string }>();
      process.exitCode = await runIngest(opts, config, await readStdin());
    });
}

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const fail = (code: number, message: string): number => {
  process.stderr.write(`support-inbox ingest: ${message}\n`);
  return code;
};

/** Returns the exit code; every message to the operator goes to stderr, stdout is the result only. */
export async function runIngest(opts: IngestOptions, configPath: string | undefined, raw: Buffer): Promise<number> {
  if (raw.length === 0) return fail(1, "no message on stdin: pipe one RFC 5322 message in, e.g. support-inbox ingest < message.eml");
  let ctx: AppContext;
  try {
    // A dry run must not write, not even pending migrations.
    ctx = await createCliContext({ configPath, env: process.env, migrate: !opts.dryRun });
  } catch (error) {
    return fail(opts.dryRun ? 1 : EX_TEMPFAIL, `${messageOf(error)}${opts.dryRun ? "" : " (temporary failure: the MTA keeps the message and retries)"}`);
  }
  try {
    const mailbox = pickMailbox(ctx, opts.mailbox);
    if (typeof mailbox === "string") return fail(opts.dryRun ? 1 : EX_TEMPFAIL, mailbox);
    // A bad --received-at is the pipe's configuration, not the message's fault: the MTA keeps the message.
    const received = opts.receivedAt === undefined ? { ok: true as const, at: ctx.clock.now() } : parseReceivedAt(opts.receivedAt);
    if (!received.ok) return fail(opts.dryRun ? 1 : EX_TEMPFAIL, received.message);
    const deps = inboundDepsFor(ctx, deskFromConfig(ctx.config, ctx.policies));
    return opts.dryRun ? await dryRun(deps, mailbox, raw, opts.json === true) : await ingest(ctx, deps, mailbox, raw, opts.json === true, received.at);
  } finally {
    await ctx.close();
  }
}

function pickMailbox(ctx: AppContext, name: string | undefined): MailboxInfo | string {
  const all = ctx.config.mailboxes;
  const m = name === undefined ? all[0] : all.find((x) => x.name === name);
  if (!m) return `no mailbox named "${name}" in the config (configured: ${all.map((x) => x.name).join(", ")})`;
  return { name: m.name, address: m.address, defaultPolicy: m.policy };
}

type Deps = ReturnType<typeof inboundDepsFor>;

async function dryRun(deps: Deps, mailbox: MailboxInfo, raw: Buffer, json: boolean): Promise<number> {
  try {
    const result = await dryRunRawMessage(deps, mailbox, raw);
    process.stdout.write(json ? `${JSON.stringify(result.json)}\n` : formatDryRun(result.json));
    return 0;
  } catch (error) {
    const hint = isUndefinedTable(error) ? " (the database has no tables yet: run `support-inbox migrate` first)" : "";
    return fail(1, `dry run failed: ${messageOf(error)}${hint}`);
  }
}

async function ingest(ctx: AppContext, deps: Deps, mailbox: MailboxInfo, raw: Buffer, json: boolean, receivedAt: number): Promise<number> {
  try {
    // A time ahead of ours (clock skew) counts from now: receiptInstant never lets a clock start in the future.
    const { applied, msg } = await processRawMessage(deps, mailbox, raw, { receivedAt });
    await summarisePastBreaches(deps, mailbox);
    // A quarantine decision (unverified sender) has no IMAP folder to keep the message in: keep its bytes.
    if (applied.outcome === "quarantine") await attachRaw(ctx, mailbox, msg.messageId, raw);
    const caseNumber = "caseNumber" in applied && applied.caseNumber !== undefined ? applied.caseNumber : await storedCaseNumber(ctx, msg.messageId);
    const summary = { outcome: applied.outcome, caseNumber, messageId: msg.messageId, mailbox: mailbox.name };
    process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${applied.outcome}${caseNumber !== null ? ` case #${caseNumber}` : ""} ${msg.messageId ? `<${msg.messageId}>` : "(no Message-ID)"}\n`);
    return 0;
  } catch (error) {
    // Database unreachable, restarting or overloaded (store/errors.ts): the same message will go through later.
    if (isRetryable(error)) return fail(EX_TEMPFAIL, `${messageOf(error)} (temporary failure: the MTA keeps the message and retries)`);
    return quarantine(ctx, deps, mailbox, raw, error, json);
  }
}

/**
 * Breaches already past at --received-at: one summary to the managers, as a worker's drain does. The message is
 * stored by now, so a failure here only warns: the breaches wait for the next drain or ingest to be summarised.
 */
async function summarisePastBreaches(deps: Deps, mailbox: MailboxInfo): Promise<void> {
  try {
    await reportPastBreaches(deps, mailbox.name);
  } catch (error) {
    process.stderr.write(`support-inbox ingest: warning: stored, but the summary of breaches already past was not queued (${messageOf(error)}); the next drain sends it\n`);
  }
}

/** The message cannot be processed: keep it, raw bytes and all, where an operator finds it. */
async function quarantine(ctx: AppContext, deps: Deps, mailbox: MailboxInfo, raw: Buffer, error: unknown, json: boolean): Promise<number> {
  const code = error instanceof AppError ? error.code : "processing-failed";
  let id: number;
  try {
    // The record and the notice to the managers in one transaction (inbound/quarantine.ts).
    const now = ctx.clock.now();
    ({ id } = (await ctx.database.db.transaction((tx) => recordQuarantine(tx, deps.desk, {
      mailbox: mailbox.name, messageId: null, sourceUidValidity: null, sourceUid: null, from: null, subject: null,
      reasonCode: code, detail: recordedErrorText(error), disposition: "quarantined", attempts: 1, at: new Date(now), raw,
    }, now))).row);
  } catch (recordError) {
    return fail(EX_TEMPFAIL, `${messageOf(error)}; recording it as quarantined failed too (${messageOf(recordError)}), so the MTA should retry`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ outcome: "quarantined", rejectionId: id, error: code, mailbox: mailbox.name })}\n`);
  return fail(1, `message not accepted: ${messageOf(error)}; kept with its raw bytes as quarantined rejection #${id} (${code})`);
}

/** A duplicate's case: the one the first copy joined or opened (null when it opened none). */
async function storedCaseNumber(ctx: AppContext, messageId: string | null): Promise<number | null> {
  if (!messageId) return null;
  return caseNumberOfMessage(ctx.database.db, messageId);
}

async function attachRaw(ctx: AppContext, mailbox: MailboxInfo, messageId: string | null, raw: Buffer): Promise<void> {
  await attachRawToQuarantined(ctx.database.db, mailbox.name, messageId, raw);
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
