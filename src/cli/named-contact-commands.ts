/**
 * `support-inbox contact set EMAIL --named-contact | --no-named-contact`: the organization's dedicated point of
 * contact ([002] 5.1 "To provide Customer with 24x7 coverage, Customer must identify a dedicated point of
 * contact who will be available to CIQ until the Support Request is resolved"). `contact add --named-contact`
 * calls the same. The flag moves from another contact of the organization; the organization holds the
 * named-contact entitlement while one of its contacts carries it.
 */
import type { Command } from "commander";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { out, withDatabase } from "./cli-support.js";

export function registerNamedContactCommands(program: Command): void {
  const contact = program.commands.find((c) => c.name() === "contact");
  if (!contact) throw new AppError("E_CLI", "the contact command must be registered before contact set");
  contact
    .command("set <email>")
    .description("change a contact: --named-contact makes it the organization's dedicated point of contact (24x7 Severity 1 on CIQ Premium)")
    .option("--named-contact", "the organization's named point of contact (moves from any other contact)")
    .option("--no-named-contact", "no longer the named point of contact")
    .action(async (email: string, o: { namedContact?: boolean }, command: Command) => {
      if (o.namedContact === undefined) throw new AppError("E_INVALID", "nothing to set: give --named-contact or --no-named-contact");
      await withDatabase(command, async (db, ctx) => out(await setNamed(db, ctx.policies, email, o.namedContact!)));
    });
}

/** Sets the flag after checking the organization's policy knows a named point of contact; returns what to print. */
export async function setNamed(db: store.Db, policies: ReadonlyMap<string, { id: string; entitlements: Array<{ id: string }> }>, email: string, named: boolean): Promise<string> {
  const found = await store.getContactByEmail(db, email);
  if (!found) throw new AppError("E_NOT_FOUND", `no contact with email ${email}`);
  const org = (await store.getOrganization(db, found.organizationId))!;
  const policy = policies.get(org.policyId);
  if (named && !policy?.entitlements.some((e) => e.id === "named-contact")) {
    throw new AppError("E_INVALID", `policy ${org.policyId} of "${org.name}" has no named point of contact (CIQ Premium has); nothing changed`);
  }
  const { contact, previous } = await store.setNamedContact(db, found.email, named);
  if (!named) return `${contact.email} is no longer the named contact of "${org.name}"`;
  return `${contact.email} is the named contact of "${org.name}"${previous ? ` (was ${previous})` : ""}`;
}
