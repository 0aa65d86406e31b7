/**
 * `support-inbox org contract NAME FILE`: the service levels agreed with one customer (the form of a
 * policy's `serviceLevels`), validated against the organization's policy and stored on it.
 */
import type { Command } from "commander";
import { AppError } from "../errors.js";
import { requirePolicy } from "../policy/catalogue.js";
import { parseContract } from "../policy/contract.js";
import * as store from "../store/index.js";
import { readText, withDatabase } from "./cli-support.js";

export function registerContractCommands(program: Command): void {
  const org = program.commands.find((c) => c.name() === "org");
  if (!org) throw new AppError("E_CLI", "the org command must be registered before org contract");
  org
    .command("contract <name> [file]")
    .description("set an organization's contract service levels from a YAML file (serviceLevels: […], as in a policy)")
    .option("--clear", "remove the contract: the policy's targets alone apply")
    .action(async (name: string, file: string | undefined, o: { clear?: boolean }, command: Command) => {
      if (!file && !o.clear) throw new AppError("E_INVALID", "give the contract FILE, or --clear to remove it");
      await withDatabase(command, async (db, ctx) => {
        const found = await store.requireOrganizationByName(db, name);
        if (o.clear) {
          await store.setContract(db, found.id, null);
          process.stdout.write(`contract of "${found.name}" removed\n`);
          return;
        }
        const policy = requirePolicy(ctx.policies, found.policyId, `organization "${found.name}"`);
        const levels = parseContract(await readText(file!), file!, policy);
        await store.setContract(db, found.id, levels);
        process.stdout.write(`contract of "${found.name}" set: ${levels.length} service level(s) ahead of policy ${policy.id}\n`);
      });
    });
}
