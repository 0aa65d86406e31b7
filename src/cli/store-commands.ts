/**
 * Directory and case commands on the database: migrate, org, contact, staff, case.
 * Each opens the database the way `start` does (--config, SUPPORT_INBOX_CONFIG, DATABASE_URL)
 * through createCliContext, prints tables (or --json) to stdout and turns mistakes into AppErrors.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { IANAZone } from "luxon";
import { createCliContext, type AppContext } from "../context.js";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { CASE_STATUSES, type CaseStatusValue } from "../store/schema/index.js";

type Out = (text: string) => void;
const out: Out = (text) => void process.stdout.write(text.endsWith("\n") ? text : text + "\n");
const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Runs `fn` with the configured database. The embedded PGlite database is migrated on the way in
 * (it belongs to this installation alone); a shared Postgres is migrated only by `migrate`/`start`.
 */
export async function withDatabase<T>(command: Command, fn: (db: store.Db, ctx: AppContext) => Promise<T>): Promise<T> {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  const ctx = await createCliContext({ configPath: config, env: process.env });
  try {
    if (ctx.database.kind === "pglite") await store.migrate(ctx.database);
    return await fn(ctx.database.db, ctx);
  } catch (error) {
    if (store.isUndefinedTable(error)) {
      throw new AppError("E_NOT_MIGRATED", "the database has no support-inbox tables yet: run `support-inbox migrate` first", undefined, { cause: error });
    }
    throw error;
  } finally {
    await ctx.close();
  }
}

export function registerStoreCommands(program: Command): void {
  program
    .command("migrate")
    .description("apply pending database migrations (start does this itself)")
    .action(async (_opts, command: Command) => {
      const { config } = command.optsWithGlobals<{ config?: string }>();
      const ctx = await createCliContext({ configPath: config, env: process.env, migrate: true });
      await ctx.close();
      out(`migrations applied (${ctx.database.kind})`);
    });
  registerOrgCommands(program.command("org").description("customer organizations"));
  registerContactCommands(program.command("contact").description("customer contacts (DTCs carry --dtc)"));
  registerStaffCommands(program.command("staff").description("support engineers, managers and executives"));
  registerCaseCommands(program.command("case").description("support cases"));
}

function registerOrgCommands(org: Command): void {
  org
    .command("add")
    .description("add a customer organization")
    .requiredOption("--name <name>", "organization name (unique)")
    .requiredOption("--policy <id>", "support policy id (see: support-inbox policy list)")
    .option("--tz <zone>", "IANA time zone, e.g. America/Los_Angeles")
    .option("--domain <domain>", "mail domain of its people (repeatable)", collect, [])
    .option("--entitlement <id>", "entitlement, e.g. 24x7-sev1 (repeatable)", collect, [])
    .option("--plan <plan>", "support plan")
    .option("--contract-start <date>", "contract start, YYYY-MM-DD")
    .option("--contract-end <date>", "contract end, YYYY-MM-DD")
    .option("--closed <date>", "a day the organization is closed, YYYY-MM-DD: business-hour clocks stop (repeatable)", collect, [])
    .action(async (o: OrgAddOptions, command: Command) => {
      await withDatabase(command, async (db, ctx) => {
        if (!ctx.policies.has(o.policy)) {
          throw new AppError("E_INVALID", `unknown policy "${o.policy}" (loaded: ${[...ctx.policies.keys()].sort().join(", ")})`);
        }
        const created = await store.createOrganization(db, {
          name: o.name,
          policyId: o.policy,
          timeZone: checkZone(o.tz),
          domains: o.domain,
          entitlements: o.entitlement,
          plan: o.plan ?? null,
          contractStart: checkDay(o.contractStart, "--contract-start"),
          contractEnd: checkDay(o.contractEnd, "--contract-end"),
          closedDates: o.closed.map((d) => checkDay(d, "--closed")!),
        });
        out(`organization "${created.name}" added (policy ${created.policyId})`);
      });
    });
  org
    .command("list")
    .description("list organizations")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, command: Command) => {
      await withDatabase(command, async (db) => {
        const orgs = await store.listOrganizations(db);
        if (o.json) return out(JSON.stringify(orgs, null, 2));
        out(table(["NAME", "POLICY", "PLAN", "TIME ZONE", "DOMAINS"], orgs.map((g) => [g.name, g.policyId, g.plan, g.timeZone, g.domains.join(" ")])));
      });
    });
  org
    .command("show <name>")
    .description("show an organization and its contacts")
    .option("--json", "print JSON")
    .action(async (name: string, o: { json?: boolean }, command: Command) => {
      await withDatabase(command, async (db) => {
        const found = await store.requireOrganizationByName(db, name);
        const contacts = await store.listContacts(db, { organizationId: found.id });
        if (o.json) return out(JSON.stringify({ ...found, contacts }, null, 2));
        out(
          [
            `${found.name}`,
            `  policy:        ${found.policyId}`,
            `  plan:          ${found.plan ?? "-"}`,
            `  entitlements:  ${found.entitlements.join(", ") || "-"}`,
            `  contract:      ${found.contractStart ?? "?"} to ${found.contractEnd ?? "?"}`,
            `  time zone:     ${found.timeZone ?? "(policy default)"}`,
            `  domains:       ${found.domains.join(", ") || "-"}`,
            `  closed dates:  ${found.closedDates.join(", ") || "-"}`,
            `  contacts:`,
            table(["EMAIL", "NAME", "DTC", "ACTIVE"], contacts.map(contactCells), "    "),
          ].join("\n"),
        );
      });
    });
}

function registerContactCommands(contact: Command): void {
  contact
    .command("add")
    .description("add a contact to an organization")
    .requiredOption("--email <email>", "email address (unique)")
    .requiredOption("--name <name>", "full name")
    .requiredOption("--org <name>", "organization name")
    .option("--dtc", "designated technical contact: may open cases")
    .option("--tz <zone>", "IANA time zone")
    .action(async (o: { email: string; name: string; org: string; dtc?: boolean; tz?: string }, command: Command) => {
      await withDatabase(command, async (db) => {
        const email = checkEmail(o.email);
        const org = await store.requireOrganizationByName(db, o.org);
        const c = await store.createContact(db, { email, name: o.name, organizationId: org.id, dtc: o.dtc === true, timeZone: checkZone(o.tz) });
        out(`contact ${c.email} added to "${org.name}"${c.dtc ? " as a DTC" : ""}`);
      });
    });
  contact
    .command("list")
    .description("list contacts")
    .option("--org <name>", "only this organization's")
    .option("--json", "print JSON")
    .action(async (o: { org?: string; json?: boolean }, command: Command) => {
      await withDatabase(command, async (db) => {
        const org = o.org === undefined ? undefined : await store.requireOrganizationByName(db, o.org);
        const names = new Map((await store.listOrganizations(db)).map((g) => [g.id, g.name]));
        const contacts = await store.listContacts(db, { organizationId: org?.id });
        if (o.json) return out(JSON.stringify(contacts.map((c) => ({ ...c, organization: names.get(c.organizationId) })), null, 2));
        out(table(["EMAIL", "NAME", "DTC", "ACTIVE", "ORGANIZATION"], contacts.map((c) => [...contactCells(c), names.get(c.organizationId)])));
      });
    });
  contact
    .command("import <file>")
    .description("create or update contacts from a CSV file: email,name,organization,dtc[,timezone][,active]")
    .action(async (file: string, _o: unknown, command: Command) => {
      const text = await readText(file);
      await withDatabase(command, async (db) => {
        const report = await store.importContactsCsv(db, text, file);
        out(store.formatImportReport(report, file));
        if (report.invalid.length > 0) {
          throw new AppError("E_CSV", `${file}: ${report.invalid.length} invalid row(s) not imported (the valid rows were applied); fix them and import again`);
        }
      });
    });
  contact
    .command("deactivate <email>")
    .description("stop a contact from opening cases (history is kept)")
    .action(async (email: string, _o: unknown, command: Command) => {
      await withDatabase(command, async (db) => {
        const c = await store.deactivateContact(db, email);
        out(`contact ${c.email} deactivated`);
      });
    });
}

function registerStaffCommands(staff: Command): void {
  staff
    .command("add")
    .description("add a staff member")
    .requiredOption("--email <email>", "email address (unique)")
    .requiredOption("--name <name>", "full name")
    .requiredOption("--role <role>", "engineer | manager | executive")
    .option("--tz <zone>", "IANA time zone (digests are sent at local time)")
    .action(async (o: { email: string; name: string; role: string; tz?: string }, command: Command) => {
      const role = store.parseStaffRole(o.role);
      const email = checkEmail(o.email);
      const timeZone = checkZone(o.tz);
      await withDatabase(command, async (db) => {
        const s = await store.createStaff(db, { email, name: o.name, role, timeZone });
        out(`${s.role} ${s.email} added`);
      });
    });
  staff
    .command("list")
    .description("list staff")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, command: Command) => {
      await withDatabase(command, async (db) => {
        const rows = await store.listStaff(db);
        if (o.json) return out(JSON.stringify(rows, null, 2));
        out(table(["EMAIL", "NAME", "ROLE", "TIME ZONE", "ACTIVE"], rows.map((s) => [s.email, s.name, s.role, s.timeZone, yesNo(s.active)])));
      });
    });
}

function registerCaseCommands(kase: Command): void {
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

interface OrgAddOptions {
  name: string;
  policy: string;
  tz?: string;
  domain: string[];
  entitlement: string[];
  plan?: string;
  contractStart?: string;
  contractEnd?: string;
  closed: string[];
}

const yesNo = (b: boolean) => (b ? "yes" : "no");
const contactCells = (c: store.Contact) => [c.email, c.name, yesNo(c.dtc), yesNo(c.active)];

function table(header: string[], rows: Array<Array<string | null | undefined>>, indent = ""): string {
  if (rows.length === 0) return `${indent}(none)`;
  const cells = [header, ...rows.map((r) => r.map((v) => v ?? "-"))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => indent + r.map((v, i) => (v ?? "").padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}

function checkZone(zone: string | undefined): string | null {
  if (zone === undefined) return null;
  if (!IANAZone.isValidZone(zone)) throw new AppError("E_INVALID", `unknown time zone "${zone}" (use an IANA name like Europe/Paris)`);
  return zone;
}

function checkDay(day: string | undefined, flag: string): string | null {
  if (day === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new AppError("E_INVALID", `${flag} must be a date like 2025-01-31, not "${day}"`);
  }
  return day;
}

function checkEmail(email: string): string {
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email.trim())) throw new AppError("E_INVALID", `"${email}" is not an email address`);
  return email.trim().toLowerCase();
}

function checkStatus(status: string): CaseStatusValue {
  if ((CASE_STATUSES as readonly string[]).includes(status)) return status as CaseStatusValue;
  throw new AppError("E_INVALID", `unknown status "${status}": use one of ${CASE_STATUSES.join(", ")}`);
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new AppError("E_FILE", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`, undefined, {
      cause: error,
    });
  }
}
