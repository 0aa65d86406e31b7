/**
 * Entry of a parser pool thread (started by createParsePool in parse-pool.ts, never imported).
 * Parses one message at a time, in arrival order: the pool already spreads work over threads, and a
 * thread that interleaved parses would only hold more decoded attachments at once without finishing sooner.
 */
import { parentPort } from "node:worker_threads";
import { parseMessage } from "./parse.js";
import { encodeFailure, encodeResult, type ParseRequest } from "./parse-pool-wire.js";

if (parentPort === null) {
  throw new Error("parse-worker is the entry of a worker thread: use createParsePool from src/mail/parse-pool.ts instead of running it");
}
const port = parentPort;

async function handle(request: ParseRequest): Promise<void> {
  try {
    const { reply, transfer } = encodeResult(request.id, await parseMessage(request.raw, request.limits));
    port.postMessage(reply, transfer);
  } catch (error) {
    // A parse failure, or a result postMessage could not clone: either way the caller gets an error.
    // Should even this post throw, the rejection ends the thread and the pool reports why.
    port.postMessage(encodeFailure(request.id, error));
  }
}

let queue: Promise<void> = Promise.resolve();
port.on("message", (request: ParseRequest) => {
  queue = queue.then(() => handle(request));
});
