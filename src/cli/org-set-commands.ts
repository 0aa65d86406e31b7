/**
 * `support-inbox org set NAME [--contract-start DATE] [--contract-end DATE|none] [--account-contact TEXT]
 * [--engineer EMAIL | --no-engineer]`: changes an existing organization's contract term, account contact and
 * the engineer who gets the mail of its new cases. The term is checked as a whole
 * (real dates, end after start) against what is already stored, so setting only the end still checks it.
 */
import type { Command } from "commander";
import { termIssues } from "../entitlements/term.js";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { out, withDatabase } from "./cli-support.js";
import { requireEngineer } from "./org-engineer-commands.js";

/** A term as typed on the command line, checked: an AppError naming the flag when it is not a real term. */
export function checkContractTerm(start: string | null, end: string | null): { contractStart: string | null; contractEnd: string | null } {
  const issues = termIssues(start, end);
  if (issues.length > 0) {
    const flag = (path: string) => (path === "start" ? "--contract-start" : "--contract-end");
    throw new AppError("E_INVALID", issues.map((i) => `${flag(i.path)}: ${i.message}`).join("; "));
  }
  return { contractStart: start, contractEnd: end };
}

interface OrgSetOptions {
  contractStart?: string;
  contractEnd?: string;
  accountContact?: string;
  engineer?: string | false;
}

export function registerOrgSetCommands(program: Command): void {
  const org = program.commands.find((c) => c.name() === "org");
  if (!org) throw new AppError("E_CLI", "the org command must be registered before org set");
  org
    .command("set <name>")
    .description("change an organization's contract term, account contact or engineer")
    .option("--contract-start <date>", "first day of the contract, YYYY-MM-DD")
    .option("--contract-end <date>", 'last day of the contract, YYYY-MM-DD, or "none" for open-ended')
    .option("--account-contact <text>", 'whom customers ask about the agreement, e.g. "Jane Roe <jane@vendor.example>"')
    .option("--engineer <email>", "an active engineer, who gets the mail of each new case")
    .option("--no-engineer", "no engineer of its own: notifications.newCase, else every engineer, hears of new cases")
    .addHelpText("after", '\nExample:\n  support-inbox org set "Acme Corp" --contract-end 2027-02-28 --engineer alice@vendor.example')
    .action(async (name: string, o: OrgSetOptions, command: Command) => {
      if (o.contractStart === undefined && o.contractEnd === undefined && o.accountContact === undefined && o.engineer === undefined) {
        throw new AppError("E_INVALID", "nothing to set: give --contract-start, --contract-end, --account-contact, --engineer EMAIL or --no-engineer");
      }
      await withDatabase(command, async (db) => {
        const found = await store.requireOrganizationByName(db, name);
        const lines: string[] = [];
        if (o.contractStart !== undefined || o.contractEnd !== undefined) {
          const end = o.contractEnd === undefined ? found.contractEnd : o.contractEnd === "none" ? null : o.contractEnd;
          const term = checkContractTerm(o.contractStart ?? found.contractStart, end);
          await store.setContractTerm(db, found.id, term);
          lines.push(`contract of "${found.name}": ${term.contractStart ?? "?"} to ${term.contractEnd ?? "open-ended"}`);
        }
        if (o.accountContact !== undefined) {
          await store.setAccountContact(db, found.id, o.accountContact.trim() || null);
          lines.push(`account contact of "${found.name}": ${o.accountContact.trim() || "-"}`);
        }
        if (o.engineer !== undefined) {
          const engineer = o.engineer === false ? null : await requireEngineer(db, o.engineer);
          await store.setOrganizationEngineer(db, found.id, engineer?.id ?? null);
          lines.push(engineer ? `"${found.name}": new cases go to ${engineer.email}` : `"${found.name}": no engineer of its own`);
        }
        out(lines.join("\n"));
      });
    });
}
