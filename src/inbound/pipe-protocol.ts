/**
 * The worker's pipe socket: how `support-inbox ingest` hands one message to a running worker instead of
 * starting the whole application per mail (the MTA pipe path; see cli/ingest-pipe.ts and worker/pipe-socket.ts).
 * A Unix socket in the data directory, mode 0600: only the worker's own user (and root) can connect, so the
 * file system is the authentication, as for the embedded database's socket beside it.
 *
 * One connection per message. The client sends one JSON line (PipeRequest), then the raw message, then
 * ends its side; the worker answers with one JSON line (PipeReply) once the message is committed (or not)
 * and closes. No imports: the client loads this without the application.
 */
export const PIPE_SOCKET = "ingest.sock";

/** The header line may not be longer than this (it carries a mailbox name and a date). */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface PipeRequest {
  /** `--mailbox` (default: the first configured). */
  mailbox?: string;
  /** `--received-at` as given; the worker parses it (default: when the worker reads the message). */
  receivedAt?: string;
  json: boolean;
}

/** The exit code for the pipe and what it prints, exactly as `ingest` without a worker would. */
export interface PipeReply {
  code: number;
  stdout: string;
  stderr: string;
}

export function encodeRequest(request: PipeRequest): Buffer {
  return Buffer.from(`${JSON.stringify(request)}\n`);
}

/** Splits a whole request into its header and the raw message; a string says what is wrong with it. */
export function decodeRequest(data: Buffer): { request: PipeRequest; raw: Buffer } | string {
  const newline = data.indexOf(10);
  if (newline < 0 || newline > MAX_HEADER_BYTES) return "no request line (expected one JSON line, then the message)";
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.subarray(0, newline).toString("utf8"));
  } catch {
    return "the request line is not JSON";
  }
  const r = parsed as Record<string, unknown>;
  if (typeof r !== "object" || r === null || typeof r.json !== "boolean") return "the request line has no json flag";
  if (r.mailbox !== undefined && typeof r.mailbox !== "string") return "mailbox must be a string";
  if (r.receivedAt !== undefined && typeof r.receivedAt !== "string") return "receivedAt must be a string";
  const request: PipeRequest = { json: r.json, ...(r.mailbox !== undefined ? { mailbox: r.mailbox } : {}), ...(r.receivedAt !== undefined ? { receivedAt: r.receivedAt } : {}) };
  return { request, raw: data.subarray(newline + 1) };
}

export function decodeReply(text: string): PipeReply | null {
  try {
    const r = JSON.parse(text) as Record<string, unknown>;
    if (typeof r.code === "number" && typeof r.stdout === "string" && typeof r.stderr === "string") return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  } catch {
    // Not a reply: the caller treats it as no answer (temporary failure).
  }
  return null;
}
