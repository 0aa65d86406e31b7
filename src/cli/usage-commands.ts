/**
 * `support-inbox org usage NAME [--year N] [--json]`: the organization's allowance, carry-over, use, open cases
 * that will count, what remains, and the counted cases with their resolution days (src/entitlements/usage.ts).
 */
import type { Command } from "commander";
import { organizationZone } from "../entitlements/organization.js";
import { termOf } from "../entitlements/term.js";
import { formatUsage, usageReport } from "../entitlements/usage.js";
import { AppError } from "../errors.js";
import { requirePolicy } from "../policy/catalogue.js";
import * as store from "../store/index.js";
import { out, withDatabase } from "./cli-support.js";
import type { Desk } from "../desk.js";
import { loadQueryHours } from "../correspondence/query-hours.js";
import { formatQueryHours } from "../entitlements/query-hours.js";

export function registerUsageCommands(program: Command): void {
  const org = program.commands.find((c) => c.name() === "org");
  if (!org) throw new AppError("E_CLI", "the org command must be registered before org usage");
  org
    .command("usage <name>")
    .description("tickets allowed, carried over, used and remaining in a contract year, with the counted cases; query hours used and left")
    .option("--year <n>", "contract year (1 = the first); default: the current one")
    .option("--json", "print JSON")
    .action(async (name: string, o: { year?: string; json?: boolean }, command: Command) => {
      const year = o.year === undefined ? undefined : Number(o.year);
      if (year !== undefined && !(Number.isInteger(year) && year >= 1)) throw new AppError("E_INVALID", `--year must be 1 or more, not "${o.year}"`);
      await withDatabase(command, async (db, ctx) => {
        const found = await store.requireOrganizationByName(db, name);
        const policy = requirePolicy(ctx.policies, found.policyId, `organization "${found.name}"`);
        const cases = (await store.quotaCasesOf(db, [found.id])).get(found.id) ?? [];
        const report = usageReport({
          organization: found.name,
          policy,
          term: termOf(found),
          agreement: found.agreement,
          zone: organizationZone(policy, found),
          cases,
          now: ctx.clock.now(),
          ...(year !== undefined ? { year } : {}),
        });
        // Query hours (Konneqt): the current period's hours used and left, with the entries.
        const desk = { policies: ctx.policies } as Pick<Desk, "policies">;
        const queryHours = await loadQueryHours(db, desk, found, ctx.clock.now());
        out(o.json ? JSON.stringify({ ...report, queryHours }, null, 2) : formatUsage(report) + formatQueryHours(queryHours));
      });
    });
}
