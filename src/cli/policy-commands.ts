/**
 * `support-inbox policy …`: list the loaded policies, show one, check a policy file.
 * Policies come from the bundled policies/ folder plus any `--policies DIR` (config will add more later).
 */
import type { Command } from "commander";
import { AppError, ValidationError } from "../errors.js";
import { bundledPoliciesDir, loadPolicies, loadPolicyFile } from "../policy/load.js";
import { formatPolicy } from "../policy/format.js";

const collect = (value: string, previous: string[]) => [...previous, value];

function policiesFrom(extraDirs: string[]) {
  return loadPolicies([bundledPoliciesDir(), ...extraDirs]);
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command("policy").description("support policies: list, show, check");

  policy
    .command("list")
    .description("list the available policies")
    .option("--policies <dir>", "another directory of policy YAML files (repeatable)", collect, [])
    .option("--json", "print JSON")
    .action((opts: { policies: string[]; json?: boolean }) => {
      const rows = [...policiesFrom(opts.policies).values()].map((p) => ({
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
    .action((id: string, opts: { policies: string[]; json?: boolean }) => {
      const all = policiesFrom(opts.policies);
      const found = all.get(id);
      if (!found) throw new AppError("E_UNKNOWN_POLICY", `no policy "${id}"; known policies: ${[...all.keys()].join(", ")}`);
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
