/**
 * `support-inbox digest preview --manager EMAIL [--date YYYY-MM-DD] [--html]`: the daily digest a manager
 * would get, printed instead of sent. Nothing is recorded or queued. With --date, "now" is that day at
 * the configured digest.localTime in the manager's zone (what the job would send that morning).
 */
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { createContext } from "../context.js";
import { instantAt } from "../digest/days.js";
import { managerZone, previewDigest } from "../digest/job.js";
import { AppError } from "../errors.js";
import { normalizeAddress } from "../mail/address.js";
import { getStaffByEmail } from "../store/repos/staff.js";
import { deskFromConfig } from "../desk.js";

interface PreviewOptions {
  manager: string;
  date?: string;
  html?: boolean;
}

export function registerDigestCommands(program: Command): void {
  const digest = program.command("digest").description("the daily SLA breach digest managers receive");
  digest
    .command("preview")
    .description("print a manager's digest (text, or HTML with --html) without sending it")
    .requiredOption("--manager <email>", "the manager (a staff member) whose digest to show")
    .option("--date <YYYY-MM-DD>", "the day to show, as sent at digest.localTime in the manager's zone (default: now)")
    .option("--html", "print the HTML part instead of the subject and text part")
    .action(async (opts: PreviewOptions, command: Command) => {
      const { config: configPath } = command.optsWithGlobals<{ config?: string }>();
      process.stdout.write(await runPreview(opts, configPath));
    });
}

async function runPreview(opts: PreviewOptions, configPath: string | undefined): Promise<string> {
  if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) {
    throw new AppError("E_USAGE", `--date "${opts.date}" is not a date: use YYYY-MM-DD, e.g. 2026-03-10`);
  }
  const { config, file } = loadConfig({ path: configPath, env: process.env });
  const ctx = await createContext(config, { migrate: true, configFile: file });
  try {
    const manager = await getStaffByEmail(ctx.database.db, opts.manager);
    if (!manager) throw new AppError("E_NOT_FOUND", `no staff member with email ${normalizeAddress(opts.manager)} (managers are staff with role manager)`);
    const desk = deskFromConfig(config, ctx.policies);
    const now = opts.date ? instantAt(opts.date, config.digest.localTime, managerZone(manager, desk)) : ctx.clock.now();
    const mail = await previewDigest(ctx.database.db, desk, manager, now);
    return opts.html ? mail.html : `Subject: ${mail.subject}\nTo: ${manager.email}\n\n${mail.text}`;
  } finally {
    await ctx.close();
  }
}
