/** `support-inbox retention run`: applies the policies' retention periods now (the worker does it hourly). */
import type { Command } from "commander";
import { purgeExpiredAttachments } from "../retention/attachments.js";
import { out, withDatabase } from "./cli-support.js";

export function registerRetentionCommands(program: Command): void {
  program
    .command("retention")
    .description("retention periods of the policies (the worker applies them hourly)")
    .command("run")
    .description("delete attachments whose retention period has passed (Konneqt: 90 days after close or contract end)")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, command: Command) => {
      await withDatabase(command, async (db, ctx) => {
        const purged = await purgeExpiredAttachments(db, ctx.policies, ctx.clock.now());
        out(o.json ? JSON.stringify(purged) : `${purged.attachments} attachment(s) deleted from ${purged.cases} case(s)`);
      });
    });
}
