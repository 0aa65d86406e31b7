/**
 * `support-inbox case list|show|search`: reading cases. Changing them (assign, status, note, time) is in
 * case-change-commands.ts, fetching an attachment in case-attachment-command.ts.
 */
import type { Command } from "commander";
import { parseSearchFilter, type RawSearchFilter } from "../cases/case-search-filter.js";
import { presentCase } from "../cases/case-view.js";
import { formatDue } from "../cases/present.js";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { CASE_STATUSES, type CaseStatusValue } from "../store/repos/cases.js";
import { registerCaseAttachmentCommand } from "./case-attachment-command.js";
import { registerCaseChangeCommands } from "./case-change-commands.js";
import { formatCaseView } from "./case-show-text.js";
import { caseNumber, out, table, withDatabase } from "./cli-support.js";

export function registerCaseCommands(program: Command): void {
  const kase = program.command("case").description("support cases: list, show, search, and change them");
  kase
    .command("list")
    .description("list cases, newest first")
    .option("--status <status>", CASE_STATUSES.join(" | "))
    .option("--org <name>", "only this organization's")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExample:\n  support-inbox case list --status open --org Acme")
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
    .description("show a case: who, severity and why, each SLA metric's due time and state, the thread, attachments, time, events")
    .option("--json", "print JSON (instants as ISO 8601)")
    .addHelpText("after", "\nExamples:\n  support-inbox case show 12\n  support-inbox case show '#12' --json")
    .action(async (raw: string, o: { json?: boolean }, command: Command) => {
      const number = caseNumber(raw);
      await withDatabase(command, async (db, ctx) => {
        const data = await store.requireCaseView(db, number);
        const view = presentCase(data, { policies: ctx.policies, deskZone: ctx.config.timeZone, ownAddresses: ownAddresses(ctx.config), now: ctx.clock.now() });
        out(o.json ? JSON.stringify(view, null, 2) : formatCaseView(view));
      });
    });
  registerSearchCommand(kase);
  registerCaseChangeCommands(kase);
  registerCaseAttachmentCommand(kase);
}

interface SearchOptions extends RawSearchFilter {
  json?: boolean;
}

function registerSearchCommand(kase: Command): void {
  kase
    .command("search")
    .description("find cases, soonest due first; every filter narrows the result")
    .option("--org <name>", "organization name")
    .option("--status <list>", `${CASE_STATUSES.join(" | ")}; several separated by commas`)
    .option("--severity <id>", "severity id as the policy names it (2, P1)")
    .option("--policy <id>", "policy id")
    .option("--assignee <email>", 'staff email, or "none" for unassigned cases')
    .option("--breached", "only cases with a metric breached now (met late, or past due and still running)")
    .option("--due-before <instant>", "only cases with a running metric due before this ISO 8601 instant")
    .option("--text <words>", 'words in the subject or the mail (full-text, "quoted phrase", -excluded)')
    .option("--limit <n>", "cases per page (default 50, at most 500)")
    .option("--page <n>", "page number, from 1")
    .option("--json", "print JSON (instants as ISO 8601)")
    .addHelpText("after", '\nExamples:\n  support-inbox case search --org Acme --status open,waiting --breached\n  support-inbox case search --text "heap dump" --due-before 2026-11-24T17:00:00Z --json')
    .action(async (o: SearchOptions, command: Command) => {
      const parsed = parseSearchFilter(o);
      if (!parsed.ok) throw new AppError("E_INVALID", parsed.message);
      await withDatabase(command, async (db, ctx) => {
        if (parsed.filter.policy !== undefined && !ctx.policies.has(parsed.filter.policy)) {
          throw new AppError("E_NOT_FOUND", `unknown policy "${parsed.filter.policy}" (loaded: ${[...ctx.policies.keys()].sort().join(", ")})`);
        }
        const severity = parsed.filter.severity;
        if (severity !== undefined) {
          const within = parsed.filter.policy !== undefined ? [ctx.policies.get(parsed.filter.policy)!] : [...ctx.policies.values()];
          const known = [...new Set(within.flatMap((p) => p.severities.map((s) => s.id)))];
          if (!known.some((id) => id.toLowerCase() === severity.toLowerCase())) {
            throw new AppError("E_INVALID", `--severity: no ${parsed.filter.policy ?? "loaded"} policy has a severity "${severity}" (known: ${known.join(", ")})`);
          }
        }
        const page = await store.searchCases(db, parsed.filter, ctx.clock.now());
        if (o.json) {
          const rows = page.rows.map((r) => ({ ...r, openedAt: r.openedAt.toISOString(), nextDue: r.nextDue && { metric: r.nextDue.metric, dueAt: new Date(r.nextDue.dueAt).toISOString() } }));
          return out(JSON.stringify({ ...page, rows }, null, 2));
        }
        if (page.total === 0) return out("no case matches");
        const zone = ctx.config.timeZone;
        out(
          table(
            ["CASE", "STATUS", "SEV", "ORGANIZATION", "ASSIGNEE", "NEXT DUE", "BREACHED", "SUBJECT"],
            page.rows.map((r) => [
              `#${r.number}`, r.status, r.severity, r.organization, r.assignee,
              r.nextDue ? `${r.nextDue.metric} ${formatDue(r.nextDue.dueAt, zone)}` : null, r.breached ? "yes" : "no", r.subject,
            ]),
          ),
        );
        const last = Math.min(page.offset + page.limit, page.total);
        out(`cases ${page.offset + 1}-${last} of ${page.total}${last < page.total ? ` (next: --page ${page.offset / page.limit + 2})` : ""}`);
      });
    });
}

/** The desk's own addresses (From and every mailbox): not participants of a case. */
function ownAddresses(config: { from?: string; mailboxes: Array<{ address?: string }> }): string[] {
  return [config.from, ...config.mailboxes.map((m) => m.address)].filter((a): a is string => typeof a === "string");
}

function checkStatus(status: string): CaseStatusValue {
  if ((CASE_STATUSES as readonly string[]).includes(status)) return status as CaseStatusValue;
  throw new AppError("E_INVALID", `unknown status "${status}": use one of ${CASE_STATUSES.join(", ")}`);
}
