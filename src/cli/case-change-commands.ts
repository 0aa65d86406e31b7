/**
 * `support-inbox case assign|status|note|time`: changing a case from the command line. Assign, status and note
 * go through the same function as a staff member's `#assign`, `#status` and `#comment` by mail
 * (correspondence/case-change.ts), so the rules, the events and the mail they cause are the same.
 *
 * Who acts: `--as EMAIL`, else the config's cli.staff (SUPPORT_INBOX_STAFF), an active staff member; "me" in
 * `case assign N me` is that person. Without either, the trail records the actor as "cli".
 */
import type { Command } from "commander";
import { parseCommand, type CaseCommand, type CommandKind } from "../cases/commands.js";
import { policyOf } from "../cases/case-sla.js";
import { formatMinutes, parseDuration } from "../cases/time-entry.js";
import type { AppContext } from "../context.js";
import { applyCaseChange } from "../correspondence/case-change.js";
import { recordTime } from "../correspondence/time.js";
import { deskFromConfig } from "../desk.js";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { caseNumber, out, withDatabase } from "./cli-support.js";

const AS_HELP = "the staff member acting (default: cli.staff in the config, or $SUPPORT_INBOX_STAFF)";

export function registerCaseChangeCommands(kase: Command): void {
  kase
    .command("assign <number> <who>")
    .description('assign a case to an active staff member, by email or "me" (as #assign by mail)')
    .option("--as <email>", AS_HELP)
    .addHelpText("after", "\nExamples:\n  support-inbox case assign 12 alice@vendor.example\n  SUPPORT_INBOX_STAFF=alice@vendor.example support-inbox case assign 12 me")
    .action(async (raw: string, who: string, o: { as?: string }, command: Command) => {
      await change(command, caseNumber(raw), o.as, "assign", who);
    });
  kase
    .command("status <number> <status>")
    .description("set a case's status: open | waiting | resolved | closed (as #status by mail; resolved tells the customer)")
    .option("--as <email>", AS_HELP)
    .addHelpText("after", "\nExample:\n  support-inbox case status 12 waiting --as alice@vendor.example")
    .action(async (raw: string, status: string, o: { as?: string }, command: Command) => {
      await change(command, caseNumber(raw), o.as, "status", status);
    });
  kase
    .command("note <number> <text>")
    .description("add an internal note to a case (as #comment by mail: the customer does not see it)")
    .option("--as <email>", AS_HELP)
    .addHelpText("after", '\nExample:\n  support-inbox case note 12 "Customer called: the outage is over, waiting for logs"')
    .action(async (raw: string, text: string, o: { as?: string }, command: Command) => {
      if (text.trim() === "") throw new AppError("E_INVALID", "the note is empty: give the text to record");
      await change(command, caseNumber(raw), o.as, "comment", "", text.trim());
    });
  registerTimeCommand(kase);
}

/** Applies one command as a staff member's mail would, and says what changed. */
async function change(command: Command, number: number, as: string | undefined, kind: CommandKind, value: string, note?: string): Promise<void> {
  await withDatabase(command, async (db, ctx) => {
    const desk = deskFromConfig(ctx.config, ctx.policies);
    const now = ctx.clock.now();
    const actor = await actingStaff(db, ctx, as);
    if (kind === "assign" && value.toLowerCase() === "me" && !actor) {
      throw new AppError("E_INVALID", '"me" needs to know who you are: give --as EMAIL, or set SUPPORT_INBOX_STAFF (or cli.staff in the config)');
    }
    const { cmd, result } = await db.transaction(async (tx) => {
      const caseRow = await store.requireCaseByNumber(tx, number);
      const parsed = kind === "comment" ? { command: { kind: "comment", line: 1 } as CaseCommand } : await parseOne(tx, caseRow, kind, value, actor, ctx);
      if ("reason" in parsed) throw new AppError("E_INVALID", `case #${number}: ${parsed.reason}`);
      const input = { desk, caseRow, actor: actor?.email ?? "cli", commands: [parsed.command], messageRowId: null, now };
      const applied = await applyCaseChange(tx, input, async (record) => {
        if (note !== undefined) await record({ kind: "note", data: { text: note } });
        return [];
      });
      return { cmd: parsed.command, result: applied };
    });
    const queued = result.queued.length ? `; queued ${result.queued.join(", ")}` : "";
    if (cmd.kind === "comment") return out(`case #${number}: note recorded${queued}`);
    if (cmd.kind === "assign") {
      return out(result.recorded.length ? `case #${number}: assigned to ${cmd.email}${queued}` : `case #${number}: already assigned to ${cmd.email}, nothing changed`);
    }
    if (cmd.kind === "status") {
      return out(result.plan.status ? `case #${number}: ${result.plan.status.from} -> ${result.plan.status.to}${queued}` : `case #${number}: already ${cmd.status}, nothing changed`);
    }
  });
}

async function parseOne(tx: store.Db, caseRow: store.Case, kind: CommandKind, value: string, actor: store.Staff | null, ctx: AppContext) {
  const staff = await store.listStaff(tx, { activeOnly: true });
  return parseCommand(kind, value, { policy: policyOf(ctx.policies, caseRow), staff, self: actor?.email });
}

/** --as, else the configured identity; it must be an active staff member (a deactivated one cannot act, as by mail). */
async function actingStaff(db: store.Db, ctx: AppContext, as: string | undefined): Promise<store.Staff | null> {
  const email = as ?? ctx.config.cli.staff;
  if (email === undefined) return null;
  const source = as !== undefined ? "--as" : "cli.staff (SUPPORT_INBOX_STAFF)";
  const member = await store.getStaffByEmail(db, email);
  if (!member) throw new AppError("E_NOT_FOUND", `${source}: no staff member ${email.toLowerCase()}`);
  if (!member.active) throw new AppError("E_INVALID", `${source}: ${member.email} is deactivated and cannot change cases`);
  return member;
}

/**
 * `case time N 1h30m [--note TEXT] [--nocount] [--by EMAIL]`: time spent on a case, as `#time` records it by
 * mail. A correction is negative: `case time N -- -30m` (the "--" keeps "-30m" from reading as an option).
 */
function registerTimeCommand(kase: Command): void {
  kase
    .command("time <number> <duration>")
    .description("record time spent on a case (1h30m, 45m; -30m after -- to correct); Query time counts toward the query hours")
    .option("--note <text>", "what the time was spent on")
    .option("--nocount", "record it but leave it out of the query hours (a fix for a defect that prevents basic use)")
    .option("--by <email>", "the staff member who spent it (default: cli)")
    .addHelpText("after", '\nExamples:\n  support-inbox case time 12 1h30m --note "reproduced on 4.2" --by alice@vendor.example\n  support-inbox case time 12 -- -30m')
    .action(async (raw: string, duration: string, o: { note?: string; nocount?: boolean; by?: string }, command: Command) => {
      const number = caseNumber(raw);
      const spent = parseDuration(duration);
      if ("reason" in spent) throw new AppError("E_INVALID", spent.reason);
      await withDatabase(command, async (db, ctx) => {
        const member = o.by === undefined ? undefined : await store.getStaffByEmail(db, o.by);
        if (o.by !== undefined && !member?.active) throw new AppError("E_INVALID", `--by ${o.by} is not an active staff member`);
        const desk = deskFromConfig(ctx.config, ctx.policies);
        const now = ctx.clock.now();
        const queued = await db.transaction(async (tx) => {
          const c = await store.requireCaseByNumber(tx, number);
          return recordTime(tx, desk, c, { minutes: spent.minutes, counts: !o.nocount, note: o.note ?? null, actor: member?.email ?? "cli" }, now);
        });
        out(`case #${number}: ${formatMinutes(spent.minutes)} recorded${o.nocount ? " (not counted toward query hours)" : ""}${queued.length ? `; queued ${queued.join(", ")}` : ""}`);
      });
    });
}
