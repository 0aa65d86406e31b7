/**
 * `support-inbox org set NAME [--contract-start DATE] [--contract-end DATE|none] [--account-contact TEXT]
 * [--engineer EMAIL | --no-engineer] [--tz] [--plan] [--domain]... [--entitlement]... [--closed]...`: changes an
 * existing organization's contract term, account contact, the engineer who gets the mail of its new cases, and
 * what `org add` set. The term is checked as a whole
 * (real dates, end after start) against what is already stored, so setting only the end still checks it.
 */
import type { Command } from "commander";
import { termIssues } from "../entitlements/term.js";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { checkDay, checkZone, out, withDatabase } from "./cli-support.js";
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

interface OrgSetOptions extends ProfileOptions {
  contractStart?: string;
  contractEnd?: string;
  accountContact?: string;
  engineer?: string | false;
}

/** The fields `org add` sets that `org set` changes too; a repeatable flag replaces the whole list, "none" empties it. */
interface ProfileOptions {
  tz?: string;
  plan?: string;
  domain?: string[];
  entitlement?: string[];
  closed?: string[];
}

/** Like cli-support's collect, but the list stays undefined (unchanged) unless the flag is given. */
const collectList = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const list = (values: string[] | undefined) => (values === undefined ? undefined : values.length === 1 && values[0] === "none" ? [] : values);

function profileOf(o: ProfileOptions): store.OrganizationProfile {
  const days = list(o.closed);
  return {
    ...(o.tz !== undefined ? { timeZone: o.tz === "none" ? null : checkZone(o.tz) } : {}),
    ...(o.plan !== undefined ? { plan: o.plan === "none" ? null : o.plan } : {}),
    ...(o.domain !== undefined ? { domains: list(o.domain)!.map((d) => d.trim().toLowerCase()) } : {}),
    ...(o.entitlement !== undefined ? { entitlements: list(o.entitlement)! } : {}),
    ...(days !== undefined ? { closedDates: days.map((d) => checkDay(d, "--closed")!) } : {}),
  };
}

export function registerOrgSetCommands(program: Command): void {
  const org = program.commands.find((c) => c.name() === "org");
  if (!org) throw new AppError("E_CLI", "the org command must be registered before org set");
  org
    .command("set <name>")
    .description("change an organization's contract term, account contact, engineer, zone, plan, domains, entitlements or closed days")
    .option("--contract-start <date>", "first day of the contract, YYYY-MM-DD")
    .option("--contract-end <date>", 'last day of the contract, YYYY-MM-DD, or "none" for open-ended')
    .option("--account-contact <text>", 'whom customers ask about the agreement, e.g. "Jane Roe <jane@vendor.example>"')
    .option("--engineer <email>", "an active engineer, who gets the mail of each new case")
    .option("--no-engineer", "no engineer of its own: notifications.newCase, else every engineer, hears of new cases")
    .option("--tz <zone>", 'IANA time zone, or "none"')
    .option("--plan <plan>", 'support plan, or "none"')
    .option("--domain <domain>", 'mail domain of its people (repeatable; replaces the list; "none" empties it)', collectList)
    .option("--entitlement <id>", 'entitlement, e.g. 24x7-sev1 (repeatable; replaces the list; "none" empties it)', collectList)
    .option("--closed <date>", 'a day it is closed, YYYY-MM-DD (repeatable; replaces the list; "none" empties it)', collectList)
    .addHelpText("after", '\nExamples:\n  support-inbox org set "Acme Corp" --contract-end 2027-02-28 --engineer alice@vendor.example\n  support-inbox org set "Acme Corp" --tz Europe/Berlin --domain acme.example --domain acme.de')
    .action(async (name: string, o: OrgSetOptions, command: Command) => {
      const profile = profileOf(o);
      if (o.contractStart === undefined && o.contractEnd === undefined && o.accountContact === undefined && o.engineer === undefined && Object.keys(profile).length === 0) {
        throw new AppError("E_INVALID", "nothing to set: give --contract-start, --contract-end, --account-contact, --engineer EMAIL or --no-engineer, --tz, --plan, --domain, --entitlement or --closed");
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
        if (Object.keys(profile).length > 0) {
          await store.setOrganizationProfile(db, found.id, profile);
          lines.push(`"${found.name}": ${Object.entries(profile).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(", ") || "-" : (v ?? "-")}`).join("; ")}`);
        }
        out(lines.join("\n"));
      });
    });
}
