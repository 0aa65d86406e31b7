/**
 * The messages between the parser pool (parse-pool.ts) and its threads (parse-worker.ts), and the
 * pure conversions to and from them. Big byte arrays travel in transfer lists (moved, not copied);
 * errors travel as plain data and are rebuilt as the same classes on the other side.
 */
import type { MailAttachment, NormalizedMessage, ParseLimits } from "./message.js";
import { MailParseError } from "./parse.js";

export interface ParseRequest {
  id: number;
  /** A private copy of the caller's bytes, owning its whole ArrayBuffer (moved to the thread). */
  raw: Uint8Array;
  limits: ParseLimits;
}

type MailParseCode = ConstructorParameters<typeof MailParseError>[0];

export type WireError =
  | {
      kind: "mail-parse";
      code: MailParseCode;
      message: string;
      details?: Record<string, unknown>;
      stack?: string;
      cause?: { name: string; message: string };
    }
  | { kind: "other"; message: string; stack?: string };

export type ParseReply =
  | {
      id: number;
      ok: true;
      message: NormalizedMessage;
      /** Per attachment: its content was a Buffer in the thread (structured clone turns it into a plain Uint8Array). */
      bufferContent: boolean[];
    }
  | { id: number; ok: false; error: WireError };

/**
 * The caller keeps its Buffer: it may still need it after parsing (the worker quarantines the raw bytes of a
 * message that keeps failing), so it is never detached. One copy into a fresh ArrayBuffer, which is then moved,
 * costs the same as the copy postMessage would make anyway and never drags a whole 8 KB Buffer pool along.
 */
export function encodeRequest(id: number, raw: Uint8Array, limits: ParseLimits): { request: ParseRequest; transfer: ArrayBuffer[] } {
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return { request: { id, raw: copy, limits: { ...limits } }, transfer: [copy.buffer] };
}

/** Moves the attachment contents: each gets an ArrayBuffer of its own (views into a shared pool are copied first). */
export function encodeResult(id: number, message: NormalizedMessage): { reply: ParseReply; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const bufferContent: boolean[] = [];
  const attachments = message.attachments.map((a): MailAttachment => {
    bufferContent.push(Buffer.isBuffer(a.content));
    const whole = a.content.byteOffset === 0 && a.content.byteLength === a.content.buffer.byteLength;
    // new Uint8Array(view) copies (Buffer#slice would not).
    const content = whole && a.content.buffer instanceof ArrayBuffer && !transfer.has(a.content.buffer) ? a.content : new Uint8Array(a.content);
    transfer.add(content.buffer as ArrayBuffer);
    return { ...a, content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength) };
  });
  return { reply: { id, ok: true, message: { ...message, attachments }, bufferContent }, transfer: [...transfer] };
}

export function encodeFailure(id: number, error: unknown): ParseReply {
  if (error instanceof MailParseError) {
    const wire: WireError = { kind: "mail-parse", code: error.code as MailParseCode, message: error.message };
    if (error.details !== undefined) wire.details = cloneableDetails(error.details);
    if (error.stack !== undefined) wire.stack = error.stack;
    if (error.cause instanceof Error) wire.cause = { name: error.cause.name, message: error.cause.message };
    else if (error.cause !== undefined) wire.cause = { name: "Error", message: String(error.cause) };
    return { id, ok: false, error: wire };
  }
  const wire: WireError = { kind: "other", message: error instanceof Error ? error.message : String(error) };
  if (error instanceof Error && error.stack !== undefined) wire.stack = error.stack;
  return { id, ok: false, error: wire };
}

/** Details are plain data today; should one ever hold something postMessage cannot clone, its JSON form travels instead. */
function cloneableDetails(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(details);
  } catch {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  }
}

/** The thread's answer as parseMessage would have given it: the message, or the error to reject with. */
export function decodeReply(reply: ParseReply): { ok: true; message: NormalizedMessage } | { ok: false; error: Error } {
  if (!reply.ok) return { ok: false, error: decodeError(reply.error) };
  const { message, bufferContent } = reply;
  for (const [i, a] of message.attachments.entries()) {
    if (bufferContent[i]) a.content = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
  }
  return { ok: true, message };
}

export function decodeError(wire: WireError): Error {
  let error: Error;
  if (wire.kind === "mail-parse") {
    const cause = wire.cause === undefined ? undefined : Object.assign(new Error(wire.cause.message), { name: wire.cause.name });
    error = new MailParseError(wire.code, wire.message, wire.details, cause);
  } else {
    error = new Error(wire.message);
  }
  // The thread's stack shows where parsing failed; the main thread's would only show the message port.
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
