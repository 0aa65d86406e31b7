/**
 * `support-inbox org set NAME --engineer EMAIL` (or `--no-engineer`): the engineer who gets the new-case mail
 * of an organization's cases, ahead of `notifications.newCase` and of the whole team. `org add --engineer`
 * takes the same address (store-commands.ts calls requireEngineer).
 */
import type { Command } from "commander";
import { AppError } from "../errors.js";
import type { Db } from "../store/database.js";
import * as store from "../store/index.js";
import { checkEmail, out, withDatabase } from "./cli-support.js";

/** The active engineer with this address, or an error that says what is wrong with it. */
export async function requireEngineer(db: Db, email: string): Promise<store.Staff> {
  const address = checkEmail(email);
  const member = await store.getStaffByEmail(db, address);
  if (!member) throw new AppError("E_NOT_FOUND", `no staff member ${address} (add one: support-inbox staff add --email ${address} --name … --role engineer)`);
  if (!member.active) throw new AppError("E_INVALID", `${address} is not active`);
  if (member.role !== "engineer") throw new AppError("E_INVALID", `${address} is a ${member.role}, not an engineer`);
  return member;
}

export function registerOrgEngineerCommands(program: Command): void {
  const org = program.commands.find((c) => c.name() === "org");
  if (!org) throw new AppError("E_CLI", "the org command must be registered before org set");
  org
    .command("set <name>")
    .description("change an organization: its engineer, who gets the mail of each new case")
    .option("--engineer <email>", "an active engineer")
    .option("--no-engineer", "no engineer of its own: notifications.newCase, else every engineer, hears of new cases")
    .action(async (name: string, o: { engineer?: string | false }, command: Command) => {
      if (o.engineer === undefined) throw new AppError("E_INVALID", "nothing to set: give --engineer EMAIL or --no-engineer");
      await withDatabase(command, async (db) => {
        const found = await store.requireOrganizationByName(db, name);
        const engineer = o.engineer === false ? null : await requireEngineer(db, o.engineer!);
        await store.setOrganizationEngineer(db, found.id, engineer?.id ?? null);
        out(engineer ? `"${found.name}": new cases go to ${engineer.email}` : `"${found.name}": no engineer of its own`);
      });
    });
}
