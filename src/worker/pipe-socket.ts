/**
 * The worker's end of the MTA pipe (inbound/pipe-protocol.ts): a Unix socket in the data directory on which
 * `support-inbox ingest` hands over one message per connection. The worker stores it with the same code as
 * the command without a worker (inbound/ingest-one.ts) and answers only after the commit, so an exit 0 means
 * stored; a database that is down answers 75 and the MTA retries.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { mkdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { AppContext } from "../context.js";
import { deskFromConfig } from "../desk.js";
import { inboundDepsFor } from "../inbound/deps-from-config.js";
import { bufferedOutput, EX_TEMPFAIL, ingestFail, ingestOne, pickMailbox } from "../inbound/ingest-one.js";
import type { InboundDeps } from "../inbound/process.js";
import { decodeRequest, PIPE_SOCKET, type PipeReply, type PipeRequest } from "../inbound/pipe-protocol.js";
import { parseReceivedAt } from "../cli/received-at.js";

export interface PipeSocket {
  path: string;
  /** Stops accepting, waits for the messages being stored, removes the socket file. */
  close(): Promise<void>;
}

export interface PipeSocketOptions {
  /** After a message was stored or quarantined (its acknowledgment or notice is queued): wakes the outbox. */
  onStored?: () => void;
}

/** Listens on <dataDir>/ingest.sock; null (and says why in the log) when it cannot. */
export async function listenPipeSocket(ctx: AppContext, opts: PipeSocketOptions = {}): Promise<PipeSocket | null> {
  const logger = ctx.logger.child({ subsystem: "pipe" });
  const { dataDir } = ctx.config.database;
  if (dataDir.startsWith("memory://")) return null;
  const path = join(dataDir, PIPE_SOCKET);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    logger.error({ err: error, path }, `cannot create ${dataDir} for the MTA pipe socket (${(error as Error).message}); \`ingest\` stores mail itself instead, at full start-up cost`);
    return null;
  }
  if (await answers(path)) {
    // Several workers on one Postgres may share a data directory: the first one serves the pipe.
    logger.info({ path }, `another worker already serves the MTA pipe on ${path}`);
    return null;
  }
  await unlink(path).catch(() => {});
  const deps = inboundDepsFor(ctx, deskFromConfig(ctx.config, ctx.policies));
  const inFlight = new Set<Promise<void>>();
  // Half-open: the pipe ends its side after the message and still reads the verdict.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const done = serve(ctx, deps, socket, opts).catch((error: unknown) => logger.error({ err: error }, "MTA pipe connection failed"));
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  try {
    await listenPrivately(server, path);
  } catch (error) {
    logger.error({ err: error, path }, `cannot listen on ${path} (${(error as Error).message}); \`ingest\` stores mail itself instead, at full start-up cost`);
    return null;
  }
  logger.info({ path }, `MTA pipe: \`support-inbox ingest\` hands messages to this worker through ${path}`);
  return {
    path,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(inFlight);
      await closed;
      await unlink(path).catch(() => {});
    },
  };
}

/** Mode 0600 from the start (umask around the synchronous bind), so no other user can connect, not even briefly. */
function listenPrivately(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const previous = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off("error", reject);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.on("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.on("error", () => resolve(false));
  });
}

async function serve(ctx: AppContext, deps: InboundDeps, socket: Socket, opts: PipeSocketOptions): Promise<void> {
  const chunks: Buffer[] = [];
  const ended = await new Promise<boolean>((resolve) => {
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(true));
    socket.on("error", () => resolve(false));
    socket.on("close", () => resolve(false));
  });
  // A pipe that died before sending all of it gets no verdict: its MTA still holds the message.
  if (!ended) return;
  const decoded = decodeRequest(Buffer.concat(chunks));
  const reply = typeof decoded === "string" ? { code: EX_TEMPFAIL, stdout: "", stderr: `support-inbox ingest: the worker refused the request: ${decoded}\n` } : await verdict(ctx, deps, decoded.request, decoded.raw);
  socket.end(`${JSON.stringify(reply)}\n`);
  // The MTA has the verdict (a bounce, a deferral); the desk's log gets it too, so a person sees it here.
  if (reply.code !== 0) {
    const what = reply.code === 1 ? "piped message not accepted: kept as a quarantined rejection" : "piped message deferred: the MTA keeps it and retries";
    deps.logger.warn({ exitCode: reply.code, detail: reply.stderr.trim().replace(/^support-inbox ingest: /, "") }, what);
  }
  // 0 stored, 1 quarantined: either may have queued mail (acknowledgment, refusal, notice to the managers).
  if (reply.code === 0 || reply.code === 1) opts.onStored?.();
}

/** What `ingest` without a worker would answer for this request (cli/ingest-commands.ts), stored by this worker. */
export async function verdict(ctx: AppContext, deps: InboundDeps, request: PipeRequest, raw: Buffer): Promise<PipeReply> {
  const out = bufferedOutput();
  const finish = (code: number): PipeReply => ({ code, ...out.text });
  if (raw.length === 0) return finish(ingestFail(out, 1, "no message on stdin: pipe one RFC 5322 message in, e.g. support-inbox ingest < message.eml"));
  const mailbox = pickMailbox(ctx, request.mailbox);
  if (typeof mailbox === "string") return finish(ingestFail(out, EX_TEMPFAIL, mailbox));
  // A bad --received-at is the pipe's configuration, not the message's fault: the MTA keeps the message.
  const received = request.receivedAt === undefined ? { ok: true as const, at: ctx.clock.now() } : parseReceivedAt(request.receivedAt);
  if (!received.ok) return finish(ingestFail(out, EX_TEMPFAIL, received.message));
  return finish(await ingestOne(ctx, deps, { mailbox, raw, json: request.json, receivedAt: received.at }, out));
}
