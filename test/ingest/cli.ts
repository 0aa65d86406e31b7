/** Runs `support-inbox ingest` the way an MTA pipe does: the real CLI as a child process, the message on stdin. */
import { spawn } from "node:child_process";
import { BIN, cleanEnv, type CliRun } from "../cli-start/cli.js";

export function runWithStdin(args: string[], stdin: Buffer, cwd: string, env = cleanEnv()): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // The CLI may exit before reading everything (e.g. a bad config): that is not the test's failure.
  child.stdin.on("error", () => {});
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
