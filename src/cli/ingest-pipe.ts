/**
 * The MTA pipe's fast path: `support-inbox ingest` as Postfix runs it, once per mail. bin/support-inbox.js loads
 * this module alone (node:net, node:fs and no application code) and, when a worker runs, hands the message to
 * it over the pipe socket in the data directory (inbound/pipe-protocol.ts) and exits with the worker's verdict.
 * Starting the whole CLI per mail cost ~0.8 s of CPU (config validation, policies, drizzle, mailparser,
 * imapflow…); this costs about what Node's own start does (README "Ingest and dry-run" has the figures).
 *
 * Without a worker (no socket, or nobody listening on it) the message read from stdin is ingested here as
 * before (cli/ingest-commands.ts). A connection that ends without a verdict exits 75: the MTA retries, and a
 * message the worker did store in the meantime comes back as a duplicate (same Message-ID or content).
 * Anything but the plain pipe form (--dry-run, --help, an unknown option) is left to commander: null.
 */
import { createConnection } from "node:net";
import { readFileSync } from "node:fs";
import { isatty } from "node:tty";
import { join } from "node:path";
import { decodeReply, encodeRequest, PIPE_SOCKET, type PipeReply, type PipeRequest } from "../inbound/pipe-protocol.js";

const EX_TEMPFAIL = 75;
const DEFAULT_CONFIG_FILE = "./support-inbox.yaml";
const DEFAULT_DATA_DIR = "./data";

export interface PipeArgs {
  config?: string;
  mailbox?: string;
  receivedAt?: string;
  json: boolean;
}

/**
 * `[-c FILE | --config FILE] ingest [--mailbox NAME] [--received-at INSTANT] [--json]` (also `--opt=value`);
 * null for anything else, so commander parses it and prints its usual help or error.
 */
export function parsePipeArgs(args: readonly string[]): PipeArgs | null {
  const out: PipeArgs = { json: false };
  let command = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : args[++i]);
    if (!command && arg === "ingest") command = true;
    else if (!command && (name === "-c" || name === "--config")) out.config = value();
    else if (command && name === "--mailbox") out.mailbox = value();
    else if (command && name === "--received-at") out.receivedAt = value();
    else if (command && arg === "--json") out.json = true;
    else return null;
    if (out.config === undefined && (name === "-c" || name === "--config")) return null;
    if (out.mailbox === undefined && name === "--mailbox") return null;
    if (out.receivedAt === undefined && name === "--received-at") return null;
  }
  return command ? out : null;
}

/**
 * The pipe socket of the configured data directory, or null when it cannot be known cheaply and correctly
 * (then the full CLI runs and reports any config problem). A config that never mentions dataDir uses the
 * default; one that does is parsed with the yaml library (~70 ms more) and its ${ENV} references resolved.
 */
export async function pipeSocketPath(configOption: string | undefined, env: NodeJS.ProcessEnv): Promise<string | null> {
  const explicit = configOption ?? (env.SUPPORT_INBOX_CONFIG || undefined);
  let text: string | null;
  try {
    text = readFileSync(explicit ?? DEFAULT_CONFIG_FILE, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || explicit !== undefined) return null;
    text = null;
  }
  const dataDir = text === null || !text.includes("dataDir") ? DEFAULT_DATA_DIR : await dataDirOf(text, env);
  if (dataDir === null || dataDir.startsWith("memory://")) return null;
  return join(dataDir, PIPE_SOCKET);
}

async function dataDirOf(text: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const { parse } = await import("yaml");
  const { substituteEnv } = await import("../config/substitute.js");
  let tree: unknown;
  try {
    tree = parse(text);
  } catch {
    return null;
  }
  const database = (tree as { database?: { dataDir?: unknown } } | null)?.database;
  if (database?.dataDir === undefined) return DEFAULT_DATA_DIR;
  const { value, issues } = substituteEnv(database.dataDir, env);
  return issues.length === 0 && typeof value === "string" && value !== "" ? value : null;
}

/**
 * All of stdin in one synchronous read: the MTA hands a pipe or a file, and this skips the stream machinery
 * process.stdin would start. A descriptor left non-blocking by whoever started us (EAGAIN) is read as a stream.
 */
async function readStdin(): Promise<Buffer> {
  if (isatty(0)) return Buffer.alloc(0);
  try {
    return readFileSync(0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** No worker listens there: ingest in this process instead. */
const NO_WORKER = new Set(["ENOENT", "ECONNREFUSED", "ENOTSOCK"]);

/**
 * Sends the message to the worker listening on `path`: its reply, "absent" when no worker listens there (or
 * this user may not connect: warned on stderr), or a tempfail reply when the connection broke before a verdict.
 */
export function handToWorker(path: string, request: PipeRequest, raw: Buffer): Promise<PipeReply | "absent"> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let connected = false;
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      connected = true;
      socket.write(encodeRequest(request));
      socket.end(raw);
    });
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (!connected && NO_WORKER.has(error.code ?? "")) resolve("absent");
      else if (!connected && error.code === "EACCES") {
        // E.g. an /etc/aliases pipe run as nobody: store it as before the socket existed, and say how to be fast.
        process.stderr.write(`support-inbox ingest: warning: no permission to connect to the worker's pipe socket ${path}; storing the message in this process instead (run the pipe as the worker's user to hand it over)\n`);
        resolve("absent");
      }
      else resolve(tempfail(`the worker's pipe socket ${path} failed (${error.message})`));
    });
    socket.on("close", () => {
      const reply = decodeReply(answer);
      resolve(reply ?? tempfail(`the worker at ${path} closed the connection without a verdict (stopping?)`));
    });
  });
}

const tempfail = (why: string): PipeReply => ({
  code: EX_TEMPFAIL,
  stdout: "",
  stderr: `support-inbox ingest: ${why} (temporary failure: the MTA keeps the message and retries; a copy the worker did store comes back as a duplicate)\n`,
});

/** The exit code, or null when `args` is not the plain pipe form (nothing has been read from stdin then). */
export async function pipeIngest(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  const parsed = parsePipeArgs(args);
  if (!parsed) return null;
  const path = await pipeSocketPath(parsed.config, env);
  const raw = await readStdin();
  const request: PipeRequest = { json: parsed.json, ...(parsed.mailbox !== undefined ? { mailbox: parsed.mailbox } : {}), ...(parsed.receivedAt !== undefined ? { receivedAt: parsed.receivedAt } : {}) };
  const reply = path !== null && raw.length > 0 ? await handToWorker(path, request, raw) : "absent";
  if (reply !== "absent") {
    process.stdout.write(reply.stdout);
    process.stderr.write(reply.stderr);
    return reply.code;
  }
  const { runIngest } = await import("./ingest-commands.js");
  return runIngest({ json: parsed.json, ...(parsed.mailbox !== undefined ? { mailbox: parsed.mailbox } : {}), ...(parsed.receivedAt !== undefined ? { receivedAt: parsed.receivedAt } : {}) }, parsed.config, raw);
}
