/**
 * Directory commands on the database: migrate, org, contact, staff.
 * Each opens the database the way `start` does (--config, SUPPORT_INBOX_CONFIG, DATABASE_URL)
 * through createCliContext, prints tables (or --json) to stdout and turns mistakes into AppErrors.
 */
import type { Command } from "commander";
import { createCliContext } from "../context.js";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { setNamed } from "./named-contact-commands.js";
import { checkDay, checkEmail, checkZone, collect, out, readText, table, withDatabase } from "./cli-support.js";
import { requireEngineer } from "./org-engineer-commands.js";
import { checkContractTerm } from "./org-set-commands.js";

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
    .option("--account-contact <text>", 'whom customers ask about the agreement, e.g. "Jane Roe <jane@vendor.example>"')
    .option("--closed <date>", "a day the organization is closed, YYYY-MM-DD: business-hour clocks stop (repeatable)", collect, [])
    .option("--engineer <email>", "the active engineer who gets the mail of each new case (org set NAME --engineer changes it)")
    .action(async (o: OrgAddOptions, command: Command) => {
      await withDatabase(command, async (db, ctx) => {
        if (!ctx.policies.has(o.policy)) {
          throw new AppError("E_INVALID", `unknown policy "${o.policy}" (loaded: ${[...ctx.policies.keys()].sort().join(", ")})`);
        }
        const engineer = o.engineer === undefined ? null : await requireEngineer(db, o.engineer);
        const created = await store.createOrganization(db, {
          name: o.name,
          policyId: o.policy,
          timeZone: checkZone(o.tz),
          domains: o.domain,
          entitlements: o.entitlement,
          plan: o.plan ?? null,
          ...checkContractTerm(o.contractStart ?? null, o.contractEnd ?? null),
          accountContact: o.accountContact?.trim() || null,
          closedDates: o.closed.map((d) => checkDay(d, "--closed")!),
          engineerId: engineer?.id ?? null,
        });
        out(`organization "${created.name}" added (policy ${created.policyId})${engineer ? `; new cases go to ${engineer.email}` : ""}`);
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
        const engineer = found.engineerId === null ? undefined : await store.getStaff(db, found.engineerId);
        if (o.json) return out(JSON.stringify({ ...found, contacts }, null, 2));
        out(
          [
            `${found.name}`,
            `  policy:        ${found.policyId}`,
            `  plan:          ${found.plan ?? "-"}`,
            `  entitlements:  ${found.entitlements.join(", ") || "-"}`,
            `  contract:      ${found.contractStart ? `${found.contractStart} to ${found.contractEnd ?? "open-ended"}` : "-"}`,
            `  time zone:     ${found.timeZone ?? "(policy default)"}`,
            `  domains:       ${found.domains.join(", ") || "-"}`,
            `  closed dates:  ${found.closedDates.join(", ") || "-"}`,
            `  engineer:      ${engineer ? `${engineer.email}${engineer.active ? "" : " (inactive)"}` : "- (notifications.newCase, else every engineer)"}`,
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
    .option("--named-contact", "the organization's named point of contact (CIQ Premium: 24x7 Severity 1)")
    .action(async (o: { email: string; name: string; org: string; dtc?: boolean; tz?: string; namedContact?: boolean }, command: Command) => {
      await withDatabase(command, async (db, ctx) => {
        const email = checkEmail(o.email);
        const org = await store.requireOrganizationByName(db, o.org);
        const c = await store.createContact(db, { email, name: o.name, organizationId: org.id, dtc: o.dtc === true, timeZone: checkZone(o.tz) });
        out(`contact ${c.email} added to "${org.name}"${c.dtc ? " as a DTC" : ""}`);
        if (o.namedContact) out(await setNamed(db, ctx.policies, c.email, true));
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
    .command("deactivate <email>")
    .description("stop a staff member's reminders, new-case notices and digests, and their # commands by mail (history is kept)")
    .addHelpText("after", "\nExample:\n  support-inbox staff deactivate alice@vendor.example")
    .action(async (email: string, _o: unknown, command: Command) => {
      await withDatabase(command, async (db) => {
        const { member, changed } = await store.setStaffActive(db, email, false);
        const { openCases, engineerOf } = await store.staffReferences(db, member.id);
        out(changed ? `staff ${member.email} deactivated: no reminders, new-case notices or digests; # commands from this address are refused` : `staff ${member.email} was already deactivated: nothing changed`);
        // Left for a person to decide, and said so: reminders of these cases go to the engineers until reassigned.
        if (openCases.length) out(`still the assignee of ${openCases.map((n) => `#${n}`).join(", ")}: their reminders go to every engineer until you run case assign`);
        if (engineerOf.length) out(`still the engineer of ${engineerOf.join(", ")}: their new cases go to notifications.newCase or every engineer until org set --engineer`);
      });
    });
  staff
    .command("activate <email>")
    .description("undo staff deactivate: reminders, notices, digests and # commands by mail again")
    .addHelpText("after", "\nExample:\n  support-inbox staff activate alice@vendor.example")
    .action(async (email: string, _o: unknown, command: Command) => {
      await withDatabase(command, async (db) => {
        const { member, changed } = await store.setStaffActive(db, email, true);
        out(changed ? `staff ${member.email} activated` : `staff ${member.email} was already active: nothing changed`);
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

interface OrgAddOptions {
  name: string;
  policy: string;
  tz?: string;
  domain: string[];
  entitlement: string[];
  plan?: string;
  contractStart?: string;
  contractEnd?: string;
  accountContact?: string;
  closed: string[];
  engineer?: string;
}

const yesNo = (b: boolean) => (b ? "yes" : "no");
const contactCells = (c: store.Contact) => [c.email, c.name, yesNo(c.dtc), yesNo(c.active)];
