/**
 * `support-inbox org contract NAME FILE`: what was agreed with one customer — the term, service levels (the
 * form of a policy's `serviceLevels`), ticket allowance, own business hours, account contact — validated
 * against the organization's policy and stored on it (src/entitlements/contract-file.ts says the form).
 */
import type { Command } from "commander";
import { parseContractFile } from "../entitlements/contract-file.js";
import { AppError } from "../errors.js";
import { requirePolicy } from "../policy/catalogue.js";
import * as store from "../store/index.js";
import { readText, withDatabase } from "./cli-support.js";

export function registerContractCommands(program: Command): void {
  const org = program.commands.find((c) => c.name() === "org");
  if (!org) throw new AppError("E_CLI", "the org command must be registered before org contract");
  org
    .command("contract <name> [file]")
    .description("set an organization's contract from a YAML file (term, serviceLevels, ticketsPerYear, carryOverCap, hours, accountContact)")
    .option("--clear", "remove the contract's service levels, allowance and hours: the policy alone applies (the term stays)")
    .action(async (name: string, file: string | undefined, o: { clear?: boolean }, command: Command) => {
      if (!file && !o.clear) throw new AppError("E_INVALID", "give the contract FILE, or --clear to remove it");
      await withDatabase(command, async (db, ctx) => {
        const found = await store.requireOrganizationByName(db, name);
        if (o.clear) {
          await store.setContract(db, found.id, null);
          await store.setAgreement(db, found.id, null);
          process.stdout.write(`contract of "${found.name}" removed\n`);
          return;
        }
        const policy = requirePolicy(ctx.policies, found.policyId, `organization "${found.name}"`);
        const parsed = parseContractFile(await readText(file!), file!, policy);
        const said: string[] = [];
        if (parsed.term) {
          await store.setContractTerm(db, found.id, { contractStart: parsed.term.start, contractEnd: parsed.term.end });
          said.push(`term ${parsed.term.start} to ${parsed.term.end ?? "open-ended"}`);
        }
        if (parsed.serviceLevels) {
          await store.setContract(db, found.id, parsed.serviceLevels);
          said.push(`${parsed.serviceLevels.length} service level(s) ahead of policy ${policy.id}`);
        }
        const agreement = Object.keys(parsed.agreement).length > 0 ? parsed.agreement : null;
        await store.setAgreement(db, found.id, agreement);
        if (agreement?.ticketsPerYear !== undefined) said.push(`${agreement.ticketsPerYear} tickets a year`);
        if (agreement?.carryOverCap !== undefined) said.push(`carry-over capped at ${agreement.carryOverCap}`);
        if (agreement?.hours) said.push(`own hours: ${agreement.hours.description}`);
        if (parsed.accountContact) {
          await store.setAccountContact(db, found.id, parsed.accountContact);
          said.push(`account contact ${parsed.accountContact}`);
        }
        process.stdout.write(`contract of "${found.name}" set: ${said.join("; ") || "nothing beyond the policy"}\n`);
      });
    });
}
