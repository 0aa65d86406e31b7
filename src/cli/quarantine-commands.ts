/**
 * `support-inbox quarantine list|show ID|retry ID` and `support-inbox refusals list [--since]`: what was
 * quarantined or refused, why, and (quarantine) running a message through intake again, exactly once.
 */
import type { Command } from "commander";
import { deskFromConfig } from "../desk.js";
import { AppError } from "../errors.js";
import { inboundDepsFor } from "../inbound/deps-from-config.js";
import type { MailboxInfo } from "../inbound/load.js";
import { retryQuarantined } from "../inbound/retry.js";
import { getQuarantined, listByDisposition } from "../store/repos/quarantine.js";
import { out, table, withDatabase } from "./cli-support.js";

const idOf = (raw: string): number => {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new AppError("E_INVALID", `"${raw}" is not a quarantine ID (see \`support-inbox quarantine list\`)`);
  return id;
};

function sinceOf(raw: string | undefined): Date | null {
  if (raw === undefined) return null;
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(at)) throw new AppError("E_INVALID", `--since must be a date or instant like 2026-11-10 or 2026-11-10T08:00:00Z, not "${raw}"`);
  return new Date(at);
}

export function registerQuarantineCommands(program: Command): void {
  const q = program.command("quarantine").description("quarantined mail: see it and run it through intake again");
  q.command("list")
    .description("quarantined messages, newest first")
    .option("--since <when>", "only those quarantined since this date or instant")
    .option("--json", "print JSON")
    .action(async (o: { since?: string; json?: boolean }, command: Command) => {
      const since = sinceOf(o.since);
      await withDatabase(command, async (db) => {
        const rows = await listByDisposition(db, "quarantined", since);
        if (o.json) return out(JSON.stringify(rows.map(({ raw, ...r }) => ({ ...r, rawBytes: raw?.length ?? 0 })), null, 2));
        out(table(["ID", "AT", "MAILBOX", "FROM", "REASON", "RETRIED"], rows.map((r) => [String(r.id), r.at.toISOString(), r.mailbox, r.from, (r.detail ?? r.reasonCode).slice(0, 100), r.retriedAt ? r.retryOutcome : "no"])));
      });
    });
  q.command("show <id>")
    .description("one quarantined message: why, and its headers")
    .action(async (raw: string, _o: unknown, command: Command) => {
      const id = idOf(raw);
      await withDatabase(command, async (db) => {
        const r = await getQuarantined(db, id);
        if (!r) throw new AppError("E_NOT_FOUND", `no quarantined message with ID ${id} (see \`support-inbox quarantine list\`)`);
        const bytes = r.raw ? Buffer.from(r.raw) : null;
        const end = bytes ? bytes.indexOf("\r\n\r\n") : -1;
        out([
          `Quarantined message ${r.id} in mailbox ${r.mailbox ?? "?"}, at ${r.at.toISOString()}`,
          `  from ${r.from ?? "(unknown)"}, subject ${r.subject ?? "(unknown)"}, Message-ID ${r.messageId ?? "(none)"}`,
          `  reason (${r.reasonCode}): ${r.detail ?? "-"}`,
          `  attempts ${r.attempts}; raw bytes ${bytes ? bytes.length : "not kept"}`,
          r.retriedAt ? `  retried at ${r.retriedAt.toISOString()}: ${r.retryOutcome}` : `  not retried: \`support-inbox quarantine retry ${r.id}\` runs it through intake again, once`,
          ...(bytes ? ["Headers:", bytes.subarray(0, end >= 0 ? Math.min(end, 8192) : 8192).toString("latin1")] : []),
        ].join("\n"));
      });
    });
  q.command("retry <id>")
    .description("run a quarantined message through intake again, exactly once")
    .action(async (raw: string, _o: unknown, command: Command) => {
      const id = idOf(raw);
      await withDatabase(command, async (_db, ctx) => {
        const deps = inboundDepsFor(ctx, deskFromConfig(ctx.config, ctx.policies));
        const mailboxOf = (name: string | null): MailboxInfo => {
          const m = ctx.config.mailboxes.find((x) => x.name === name);
          if (!m) throw new AppError("E_NOT_FOUND", `quarantined message ${id} came from mailbox "${name}", which is not in the config`);
          return { name: m.name, address: m.address, defaultPolicy: m.policy };
        };
        const result = await retryQuarantined(deps, id, mailboxOf);
        if (!result.retried) {
          out(result.why);
          process.exitCode = 1;
          return;
        }
        out(`quarantined message ${id} retried: ${result.outcome}${result.caseNumber !== null ? ` case #${result.caseNumber}` : ""}`);
      });
    });
  program
    .command("refusals")
    .description("refused mail")
    .command("list")
    .description("refused messages, newest first, and whether a reply went out")
    .option("--since <when>", "only those refused since this date or instant")
    .option("--json", "print JSON")
    .action(async (o: { since?: string; json?: boolean }, command: Command) => {
      const since = sinceOf(o.since);
      await withDatabase(command, async (db) => {
        const rows = await listByDisposition(db, "refused", since);
        if (o.json) return out(JSON.stringify(rows.map(({ raw: _raw, ...r }) => r), null, 2));
        out(table(["ID", "AT", "FROM", "REASON", "REPLY"], rows.map((r) => [String(r.id), r.at.toISOString(), r.from, r.reasonCode, r.replyState ? `${r.replyState}` : `none${r.replyWithheld ? `: ${r.replyWithheld}` : ""}`])));
      });
    });
}
