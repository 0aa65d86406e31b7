/** Runs `support-inbox ingest` the way an MTA pipe does: the real CLI as a child process, the message on stdin. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BIN, cleanEnv, type CliRun } from "../cli-start/cli.js";

/** bin/support-inbox-pipe: the Perl pipe client, same arguments and verdicts as `support-inbox`. */
export const PIPE_BIN = fileURLToPath(new URL("../../bin/support-inbox-pipe", import.meta.url));

/** The two ways an MTA can run ingest: the Node CLI (`support-inbox`) and the Perl pipe client. */
export const PIPE_CLIENTS = [
  { name: "support-inbox", command: [process.execPath, BIN] },
  { name: "support-inbox-pipe", command: [PIPE_BIN] },
] as const;
export type PipeClient = (typeof PIPE_CLIENTS)[number];

export function runWithStdin(args: string[], stdin: Buffer, cwd: string, env = cleanEnv(), command: readonly string[] = [process.execPath, BIN]): Promise<CliRun> {
  const [file, ...first] = command;
  // The Perl client falls back to the Node CLI; it finds node as an MTA's pipe would, through PATH.
  const child = spawn(file!, [...first, ...args], { cwd, env: { SUPPORT_INBOX_NODE: process.execPath, ...env }, stdio: ["pipe", "pipe", "pipe"] });
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
