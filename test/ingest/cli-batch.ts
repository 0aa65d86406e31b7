/**
 * Runs many `support-inbox` commands in ONE process, each through the CLI's own entry (main: commander, the
 * command's action, its stdout and exit code), so a table of a hundred CLI runs costs one start-up, not a
 * hundred. Usage: `node --import tsx cli-batch.ts jobs.json` with jobs [{ args, stdin? }]; prints the results
 * [{ code, stdout, stderr }] as one JSON line on the real stdout.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface BatchJob {
  args: string[];
  /** What the command reads on stdin (the raw message for `ingest`). */
  stdin?: string;
}

export interface BatchResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runOne(job: BatchJob): Promise<BatchResult> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  // The command reads process.stdin and writes process.stdout/stderr: give it this job's, then restore.
  Object.defineProperty(process, "stdin", { value: Readable.from([Buffer.from(job.stdin ?? "")]), configurable: true });
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(["node", "support-inbox", ...job.args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exitCode = undefined;
  }
}

const jobs = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as BatchJob[];
const results: BatchResult[] = [];
for (const job of jobs) results.push(await runOne(job));
process.stdout.write(`${JSON.stringify(results)}\n`);
