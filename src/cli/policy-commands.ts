/**
 * `support-inbox policy …`: list the loaded policies, show one, check a policy file.
 * Policies come from the bundled policies/ folder, the config's policies.dirs, and any `--policies DIR`.
 */
import type { Command } from "commander";
import { ValidationError } from "../errors.js";
import { requirePolicy } from "../policy/catalogue.js";
import { loadPolicyFile } from "../policy/load.js";
import { formatPolicy } from "../policy/format.js";
import { collect, policiesOf } from "./cli-support.js";

export function registerPolicyCommands(program: Command): void {
  const policy = program.command("policy").description("support policies: list, show, check");

  policy
    .command("list")
    .description("list the available policies")
    .option("--policies <dir>", "another directory of policy YAML files (repeatable)", collect, [])
    .option("--json", "print JSON")
    .action((opts: { policies: string[]; json?: boolean }, command: Command) => {
      const rows = [...policiesOf(command, opts.policies).values()].map((p) => ({
        id: p.id,
        name: p.name,
        seed: p.seed,
        hours: p.calendar.description,
        caseTypes: p.caseTypes,
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const width = Math.max(...rows.map((r) => r.id.length));
      for (const r of rows) process.stdout.write(`${r.id.padEnd(width)}  ${r.name} — ${r.hours}\n`);
    });

  policy
    .command("show")
    .description("show one policy: calendar, severities, targets and rules")
    .argument("<id>", "policy id, e.g. vantiq")
    .option("--policies <dir>", "another directory of policy YAML files (repeatable)", collect, [])
    .option("--json", "print the loaded policy as JSON")
    .action((id: string, opts: { policies: string[]; json?: boolean }, command: Command) => {
      const found = requirePolicy(policiesOf(command, opts.policies), id);
      process.stdout.write(opts.json ? `${JSON.stringify(found, null, 2)}\n` : formatPolicy(found));
    });

  policy
    .command("check")
    .description("validate a policy file; errors go to stderr, one per line, and the exit code is 1")
    .argument("<file>", "policy YAML file")
    .action((file: string) => {
      try {
        loadPolicyFile(file);
        process.stdout.write("ok\n");
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        for (const i of error.issues) process.stderr.write(`${error.file}: ${i.path ? `${i.path}: ` : ""}${i.message}\n`);
        process.exitCode = 1;
      }
    });
}
