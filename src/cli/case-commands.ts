/** `support-inbox case list|show`: cases as a table or JSON, with their events and messages. */
import type { Command } from "commander";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { CASE_STATUSES, type CaseStatusValue } from "../store/repos/cases.js";
import { out, table, withDatabase } from "./cli-support.js";
import { deskFromConfig } from "../desk.js";
import { recordTime } from "../correspondence/time.js";
import { formatMinutes, parseDuration } from "../cases/time-entry.js";

export function registerCaseCommands(program: Command): void {
  const kase = program.command("case").description("support cases");
  kase
    .command("list")
    .description("list cases, newest first")
    .option("--status <status>", CASE_STATUSES.join(" | "))
    .option("--org <name>", "only this organization's")
    .option("--json", "print JSON")
    .action(async (o: { status?: string; org?: string; json?: boolean }, command: Command) => {
      const status = o.status === undefined ? undefined : checkStatus(o.status);
      await withDatabase(command, async (db) => {
        const org = o.org === undefined ? undefined : await store.requireOrganizationByName(db, o.org);
        const names = new Map((await store.listOrganizations(db)).map((g) => [g.id, g.name]));
        const rows = await store.listCases(db, { status, organizationId: org?.id });
        if (o.json) return out(JSON.stringify(rows.map((c) => ({ ...c, organization: names.get(c.organizationId) })), null, 2));
        out(
          table(
            ["CASE", "STATUS", "SEV", "ORGANIZATION", "OPENED", "SUBJECT"],
            rows.map((c) => [`#${c.number}`, c.status, c.severity, names.get(c.organizationId), c.openedAt.toISOString(), c.subject]),
          ),
        );
      });
    });
  kase
    .command("show <number>")
    .description("show a case with its events and messages")
    .option("--json", "print JSON")
    .action(async (raw: string, o: { json?: boolean }, command: Command) => {
      const number = Number(raw.replace(/^#/, ""));
      if (!Number.isInteger(number) || number <= 0) throw new AppError("E_INVALID", `"${raw}" is not a case number`);
      await withDatabase(command, async (db) => {
        const c = await store.requireCaseByNumber(db, number);
        const [events, messages] = await Promise.all([store.listEvents(db, c.id), store.listMessagesForCase(db, c.id)]);
        if (o.json) return out(JSON.stringify({ case: c, events, messages }, null, 2));
        out(describeCase(c, events, messages));
      });
    });
  registerTimeCommand(kase);
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
    .action(async (raw: string, duration: string, o: { note?: string; nocount?: boolean; by?: string }, command: Command) => {
      const number = Number(raw.replace(/^#/, ""));
      if (!Number.isInteger(number) || number <= 0) throw new AppError("E_INVALID", `"${raw}" is not a case number`);
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

export function describeCase(c: store.Case, events: store.CaseEvent[], messages: store.Message[]): string {
  return [
    `Case #${c.number}: ${c.subject}`,
    `  status ${c.status}, severity ${c.severity} (${c.severitySource}${c.severityReason ? `: ${c.severityReason}` : ""}), type ${c.caseType}, policy ${c.policyId}`,
    `  opened ${c.openedAt.toISOString()}, next action ${c.nextActionAt?.toISOString() ?? "-"}`,
    c.missingFields.length ? `  missing fields: ${c.missingFields.join(", ")}` : "",
    `Events:`,
    ...events.map((e) => `  ${e.at.toISOString()}  ${e.kind}  by ${e.actor}${Object.keys(e.data).length ? `  ${JSON.stringify(e.data)}` : ""}`),
    `Messages:`,
    ...messages.map((m) => `  ${m.receivedAt.toISOString()}  ${m.direction === "in" ? "<-" : "->"} ${m.from}  ${m.subject}`),
  ]
    .filter((line) => line !== "")
    .join("\n");
}

function checkStatus(status: string): CaseStatusValue {
  if ((CASE_STATUSES as readonly string[]).includes(status)) return status as CaseStatusValue;
  throw new AppError("E_INVALID", `unknown status "${status}": use one of ${CASE_STATUSES.join(", ")}`);
}

