/**
 * `npm run demo`: the whole product on embedded defaults in ./var/demo, over a simulated business week.
 * Prints the timeline and the table of cases; exits non-zero if any worker job failed.
 */
import { createLogger } from "../log/logger.js";
import { runDemo } from "./demo.js";

async function main(): Promise<number> {
  const errorLogger = createLogger({ log: { level: "error" } }, { destination: process.stderr, pretty: false });
  const result = await runDemo({ dir: process.argv[2] ?? "./var/demo", write: (line) => process.stdout.write(`${line}\n`), errorLogger });
  return result.failures > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
