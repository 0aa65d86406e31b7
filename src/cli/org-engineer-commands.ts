/**
 * The engineer who gets the new-case mail of an organization's cases, ahead of `notifications.newCase` and of
 * the whole team: checked the same way for `org add --engineer` (store-commands.ts) and `org set --engineer`
 * (org-set-commands.ts).
 */
import { AppError } from "../errors.js";
import type { Db } from "../store/database.js";
import * as store from "../store/index.js";
import { checkEmail } from "./cli-support.js";

/** The active engineer with this address, or an error that says what is wrong with it. */
export async function requireEngineer(db: Db, email: string): Promise<store.Staff> {
  const address = checkEmail(email);
  const member = await store.getStaffByEmail(db, address);
  if (!member) throw new AppError("E_NOT_FOUND", `no staff member ${address} (add one: support-inbox staff add --email ${address} --name … --role engineer)`);
  if (!member.active) throw new AppError("E_INVALID", `${address} is not active`);
  if (member.role !== "engineer") throw new AppError("E_INVALID", `${address} is a ${member.role}, not an engineer`);
  return member;
}
