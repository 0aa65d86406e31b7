/**
 * `support-inbox lifecycle show [PRODUCT]` (the computed lifecycle table, and which rule gave each date) and
 * `support-inbox lifecycle notices [--dry-run]` (the EOS/EOMS/EOL notices due now; the worker queues them hourly).
 */
import type { Command } from "commander";
import { SystemClock } from "../clock/clock.js";
import { deskFromConfig } from "../desk.js";
import { AppError } from "../errors.js";
import { lifecycleNoticesTick } from "../lifecycle/notices-job.js";
import { dayIn } from "../lifecycle/period.js";
import { formatLifecycle, lifecycleRows } from "../lifecycle/present.js";
import type { Policy } from "../policy/types.js";
import { checkDay, out, policiesOf, table, withDatabase } from "./cli-support.js";

export function registerLifecycleCommands(program: Command): void {
  const lifecycle = program.command("lifecycle").description("product lifecycle (Infotecs): support periods of product versions, and the notices ahead of EOS, EOMS and EOL");
  lifecycle
    .command("show [product]")
    .description("the lifecycle table of the policies' product lists: GA and EOS as listed, EOMS and EOL computed, with the rule behind each date")
    .option("--policy <id>", "only this policy's list (default: every policy that has one)")
    .option("--date <YYYY-MM-DD>", "the day whose support period is shown (default: today in the policy's zone)")
    .option("--json", "print JSON")
    .addHelpText("after", '\nExample:\n  support-inbox lifecycle show "ViPNet Client"\n  support-inbox lifecycle show --policy infotecs-basic --json')
    .action((product: string | undefined, o: { policy?: string; date?: string; json?: boolean }, command: Command) => {
      checkDay(o.date, "--date");
      const lists = listsOf(policiesOf(command), o.policy);
      const now = new SystemClock().now();
      const shown = lists.map(({ policies, rules }) => {
        const day = o.date ?? dayIn(now, policies[0]!.calendar.zone);
        return { policies: policies.map((p) => p.id), file: rules.table!.file, day, rows: lifecycleRows(rules.table!, day, product) };
      });
      const found = shown.filter((s) => s.rows !== null && s.rows.length > 0);
      if (found.length === 0) {
        const names = [...new Set(lists.flatMap(({ rules }) => rules.table!.products.map((p) => p.name)))].join(", ");
        throw new AppError("E_NOT_FOUND", `no product "${product}" in the lifecycle lists; they list ${names}`);
      }
      if (o.json) return out(JSON.stringify(found, null, 2));
      out(found.map((s) => `Policies ${s.policies.join(", ")} (${s.file})\n\n${formatLifecycle(s.rows!, s.day, (h, r) => table(h, r))}`).join("\n"));
    });
  lifecycle
    .command("notices")
    .description("the EOS, EOMS and EOL notices due now to the DTCs of organizations whose cases name the version; queues those not sent before (the worker does this hourly)")
    .option("--dry-run", "only show what would be sent")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExample:\n  support-inbox lifecycle notices --dry-run")
    .action(async (o: { dryRun?: boolean; json?: boolean }, command: Command) => {
      await withDatabase(command, async (db, ctx) => {
        const desk = deskFromConfig(ctx.config, ctx.policies);
        const run = await lifecycleNoticesTick({ db, desk, clock: ctx.clock, logger: ctx.logger.child({ subsystem: "lifecycle" }), dryRun: o.dryRun ?? false });
        const rows = run.notices.map(({ notice: n, to, status }) => ({ organization: n.organization, product: n.product, version: n.version, milestone: n.milestone, date: n.date, cases: n.cases, to, status }));
        if (o.json) return out(JSON.stringify(rows, null, 2));
        const grid = table(["Organization", "Product", "Version", "Milestone", "Date", "To", "Status"], rows.map((r) => [r.organization, r.product, r.version, r.milestone, r.date, r.to.join(", ") || "-", r.status]));
        out(`${grid}\n${o.dryRun ? "Dry run: nothing was queued." : `${run.queued} notice(s) queued.`}`);
      });
    });
}

/** The policies with a lifecycle list, grouped by list (Basic and Premium share one); `only` picks one policy. */
function listsOf(policies: Map<string, Policy>, only: string | undefined) {
  const withList = [...policies.values()].filter((p) => p.lifecycle?.table && (only === undefined || p.id === only));
  if (withList.length === 0) {
    throw new AppError("E_NOT_FOUND", only ? `policy "${only}" has no lifecycle list (or does not exist)` : "no policy has a lifecycle list (lifecycle.file)");
  }
  const byFile = new Map<string, { policies: Policy[]; rules: NonNullable<Policy["lifecycle"]> }>();
  for (const p of withList) {
    const file = p.lifecycle!.table!.file;
    const group = byFile.get(file) ?? { policies: [], rules: p.lifecycle! };
    group.policies.push(p);
    byFile.set(file, group);
  }
  return [...byFile.values()];
}
