/**
 * The `support-inbox` command line. Each capability registers its own commands from
 * src/cli/<capability>-commands.ts; this file only wires them and turns errors into exit codes.
 */
import { Command, CommanderError } from "commander";
import { AppError } from "../errors.js";
import { registerStartCommands } from "./start-commands.js";
import { registerCalendarCommands } from "./calendar-commands.js";
import { registerPolicyCommands } from "./policy-commands.js";
import { registerSlaCommands } from "./sla-commands.js";
import { registerDigestCommands } from "./digest-commands.js";
import { registerContractCommands } from "./contract-commands.js";
import { registerIngestCommands } from "./ingest-commands.js";
import { registerStoreCommands } from "./store-commands.js";
import { registerCaseCommands } from "./case-commands.js";
import { registerRetentionCommands } from "./retention-commands.js";
import { registerQuarantineCommands } from "./quarantine-commands.js";
import { registerOrgSetCommands } from "./org-set-commands.js";
import { registerUsageCommands } from "./usage-commands.js";
import { registerNamedContactCommands } from "./named-contact-commands.js";
import { registerLifecycleCommands } from "./lifecycle-commands.js";

export function buildProgram(): Command {
  const program = new Command("support-inbox")
    .description("Runs a vendor's email support desk under its written support policy.")
    .option("-c, --config <file>", "config file (default: $SUPPORT_INBOX_CONFIG or ./support-inbox.yaml)")
    .showHelpAfterError()
    .exitOverride();
  // Capabilities register here: registerXCommands(program);
  registerStartCommands(program);
  registerCalendarCommands(program);
  registerPolicyCommands(program);
  registerSlaCommands(program);
  registerDigestCommands(program);
  registerIngestCommands(program);
  registerStoreCommands(program);
  registerCaseCommands(program);
  registerRetentionCommands(program);
  registerContractCommands(program);
  registerQuarantineCommands(program);
  registerOrgSetCommands(program);
  registerUsageCommands(program);
  registerNamedContactCommands(program);
  registerLifecycleCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof AppError) {
      process.stderr.write(`support-inbox: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`support-inbox: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && /(?:^|[\\/])(main\.(?:ts|js)|support-inbox(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  process.exitCode = await main(process.argv);
}
