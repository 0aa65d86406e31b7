/**
 * `support-inbox ingest [--mailbox NAME] [--json] [--dry-run] < message.eml`: one message from stdin, for an
 * MTA pipe (like Request Tracker's rt-mailgate). The exit codes are the contract with the MTA (0 stored,
 * 1 quarantined with its raw bytes, 75 EX_TEMPFAIL: retry later): see inbound/ingest-one.ts.
 * When a worker runs, bin/support-inbox.js hands the message to it over its pipe socket (cli/ingest-pipe.ts)
 * and this module is not even loaded; this is the path without a worker, and the one `--dry-run` takes.
 * Nothing is sent here: the worker's outbox loop delivers the acknowledgment.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { createCliContext, type AppContext } from "../context.js";
import { isUndefinedTable } from "../store/errors.js";
import { deskFromConfig } from "../desk.js";
import { dryRunRawMessage, formatDryRun } from "../inbound/dry-run.js";
import type { MailboxInfo } from "../inbound/load.js";
import { inboundDepsFor } from "../inbound/deps-from-config.js";
import { EX_TEMPFAIL, ingestFail, ingestOne, messageOf, pickMailbox, processOutput } from "../inbound/ingest-one.js";
import { parseReceivedAt } from "./received-at.js";

export { EX_TEMPFAIL };

export interface IngestOptions {
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
    .addHelpText("after", "\nExamples:\n  support-inbox ingest --mailbox support < message.eml\n  support-inbox ingest --dry-run --json < message.eml\n\nExit: 0 stored, 1 quarantined with its raw bytes, 75 temporary failure (the MTA retries).")
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

const out = processOutput;

/** Returns the exit code; every message to the operator goes to stderr, stdout is the result only. */
export async function runIngest(opts: IngestOptions, configPath: string | undefined, raw: Buffer): Promise<number> {
  if (raw.length === 0) return ingestFail(out, 1, "no message on stdin: pipe one RFC 5322 message in, e.g. support-inbox ingest < message.eml");
  let ctx: AppContext;
  try {
    const loaded = loadConfig({ path: configPath, env: process.env });
    const missing = missingEmbeddedDatabase(loaded.config);
    if (missing) return ingestFail(out, opts.dryRun ? 1 : EX_TEMPFAIL, missing);
    // A dry run must not write, not even pending migrations.
    ctx = await createCliContext({ configPath, env: process.env, migrate: !opts.dryRun, loaded });
  } catch (error) {
    return ingestFail(out, opts.dryRun ? 1 : EX_TEMPFAIL, `${messageOf(error)}${opts.dryRun ? "" : " (temporary failure: the MTA keeps the message and retries)"}`);
  }
  try {
    const mailbox = pickMailbox(ctx, opts.mailbox);
    if (typeof mailbox === "string") return ingestFail(out, opts.dryRun ? 1 : EX_TEMPFAIL, mailbox);
    // A bad --received-at is the pipe's configuration, not the message's fault: the MTA keeps the message.
    const received = opts.receivedAt === undefined ? { ok: true as const, at: ctx.clock.now() } : parseReceivedAt(opts.receivedAt);
    if (!received.ok) return ingestFail(out, opts.dryRun ? 1 : EX_TEMPFAIL, received.message);
    const deps = inboundDepsFor(ctx, deskFromConfig(ctx.config, ctx.policies));
    if (opts.dryRun) return await dryRun(deps, mailbox, raw, opts.json === true);
    return await ingestOne(ctx, deps, { mailbox, raw, json: opts.json === true, receivedAt: received.at }, out);
  } finally {
    await ctx.close();
  }
}

type Deps = ReturnType<typeof inboundDepsFor>;

async function dryRun(deps: Deps, mailbox: MailboxInfo, raw: Buffer, json: boolean): Promise<number> {
  try {
    const result = await dryRunRawMessage(deps, mailbox, raw);
    process.stdout.write(json ? `${JSON.stringify(result.json)}\n` : formatDryRun(result.json));
    return 0;
  } catch (error) {
    const hint = isUndefinedTable(error) ? " (the database has no tables yet: run `support-inbox migrate` first)" : "";
    return ingestFail(out, 1, `dry run failed: ${messageOf(error)}${hint}`);
  }
}

/**
 * A pipe run outside the worker's directory (no `directory=` in master.cf, a relative dataDir) would create
 * a new, empty embedded database there and file the mail into it, where no worker reads it and no
 * organization is known: the message is refused rather than lost that way (75: the MTA keeps it). Null when
 * the database is Postgres or the embedded one exists.
 */
function missingEmbeddedDatabase(config: Config): string | null {
  if (config.database.url || config.database.dataDir.startsWith("memory://")) return null;
  const dataDir = resolve(config.database.dataDir);
  if (existsSync(join(dataDir, "PG_VERSION"))) return null;
  return `no embedded database at ${dataDir} (the worker creates it when it starts): run ingest in the worker's directory (directory= in master.cf) or give database.dataDir as an absolute path`;
}
