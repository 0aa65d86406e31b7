/**
 * `support-inbox retention run|status`: applies the policies' retention periods now (the worker does it hourly) —
 * attachments, and an organization's personal and portal data once its contract ended long enough ago — and
 * shows per organization when its data is due.
 */
import type { Command } from "commander";
import { purgeExpiredAttachments } from "../retention/attachments.js";
import { erasePersonalData, retentionStatus, type OrganizationErasure } from "../retention/personal-data.js";
import type { RetentionScheduleEntry } from "../retention/personal-data-plan.js";
import { out, table, withDatabase } from "./cli-support.js";

const iso = (t: number | null) => (t === null ? "-" : new Date(t).toISOString().replace(/\.000Z$/, "Z"));
const kinds = (k: Record<string, number>) =>
  Object.entries(k)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ") || "nothing";

export function registerRetentionCommands(program: Command): void {
  const retention = program.command("retention").description("retention periods of the policies (the worker applies them hourly)");
  retention
    .command("run")
    .description("delete attachments and erase personal data whose retention period has passed (Konneqt: 90 days after close or contract end)")
    .option("--dry-run", "list what would be erased, change nothing")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  support-inbox retention run --dry-run\n  support-inbox retention run --json")
    .action(async (o: { json?: boolean; dryRun?: boolean }, command: Command) => {
      await withDatabase(command, async (db, ctx) => {
        const now = ctx.clock.now();
        const purged = o.dryRun ? null : await purgeExpiredAttachments(db, ctx.policies, now);
        const erased = await erasePersonalData(db, ctx.policies, now, { dryRun: o.dryRun });
        if (o.json) return out(JSON.stringify({ dryRun: Boolean(o.dryRun), attachments: purged, personalData: erased.map((e) => ({ ...e, dueAt: new Date(e.dueAt).toISOString() })) }));
        if (purged) out(`${purged.attachments} attachment(s) deleted from ${purged.cases} case(s)`);
        out(erasureText(erased, Boolean(o.dryRun)));
      });
    });
  retention
    .command("status")
    .description("per organization: when its personal and portal data is due for erasure, or when it was erased")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExample:\n  support-inbox retention status")
    .action(async (o: { json?: boolean }, command: Command) => {
      await withDatabase(command, async (db, ctx) => {
        const entries = await retentionStatus(db, ctx.policies, ctx.clock.now());
        out(o.json ? JSON.stringify(entries.map(jsonEntry)) : statusText(entries));
      });
    });
}

function erasureText(erased: OrganizationErasure[], dry: boolean): string {
  if (erased.length === 0) return "no organization's personal data is due for erasure";
  const verb = dry ? "would erase" : "erased";
  return erased
    .map((e) => `${e.name} (contract ended ${e.contractEnd}, due ${iso(e.dueAt)}): ${verb} ${e.people} person(s) — ${kinds(e.kinds)}`)
    .join("\n");
}

const STATE_TEXT: Record<RetentionScheduleEntry["state"], string> = {
  kept: "kept (the policy sets no retention period)",
  "open-ended": "kept while the contract runs (no end date)",
  retained: "retained until due",
  due: "due: erased at the next run",
  erased: "erased",
};

function statusText(entries: RetentionScheduleEntry[]): string {
  if (entries.length === 0) return "no organizations";
  return table(
    ["ORGANIZATION", "CONTRACT END", "DAYS", "DUE", "ERASED", "STATE"],
    entries.map((e) => [e.name, e.contractEnd ?? "-", e.days === null ? "-" : String(e.days), iso(e.dueAt), iso(e.erasedAt), STATE_TEXT[e.state]]),
  );
}

const jsonEntry = (e: RetentionScheduleEntry) => ({
  organization: e.name,
  state: e.state,
  contractEnd: e.contractEnd,
  days: e.days,
  dueAt: e.dueAt === null ? null : new Date(e.dueAt).toISOString(),
  erasedAt: e.erasedAt === null ? null : new Date(e.erasedAt).toISOString(),
});
