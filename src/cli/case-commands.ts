/** `support-inbox case list|show`: cases as a table or JSON, with their events and messages. */
import type { Command } from "commander";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { CASE_STATUSES, type CaseStatusValue } from "../store/repos/cases.js";
import { out, table, withDatabase } from "./cli-support.js";

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
}

function describeCase(c: store.Case, events: store.CaseEvent[], messages: store.Message[]): string {
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

