/**
 * IMAP side of the ingest benchmark: appending bench messages stamped with their append time, paced or
 * as fast as the server takes them, and reading back what the service moved to Processed.
 * The stamp is epoch ms from Date.now(), the clock pino stamps the service's log lines with, so
 * append → commit is one subtraction on the same machine clock.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ImapFlow } from "imapflow";
import { benchMessage } from "./ingest-raw.js";

export interface ImapTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface AppendResult {
  bytes: number;
  /** From the first append's start to the last append's end. */
  seconds: number;
  /** Messages per second at which appends were started (the pace a paced run achieved). */
  startRate: number;
  /** Paced runs: the worst delay of an append behind its schedule (the appender falling behind). */
  maxLagMs: number;
}

/** One header line in front of message i: when it was handed to APPEND. */
export function stampedMessage(i: number, to: string, appendedAt: number, attachP?: number): Buffer {
  return Buffer.concat([Buffer.from(`X-Bench-Appended-At: ${appendedAt}\r\n`), benchMessage(i, to, attachP)]);
}

export async function connect(imap: ImapTarget): Promise<ImapFlow> {
  const client = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.password }, logger: false, disableAutoIdle: true });
  // Without a listener an 'error' event would crash the bench; a failing command still rejects its promise.
  client.on("error", () => {});
  await client.connect();
  return client;
}

/**
 * Appends messages [from, to) over `sessions` parallel sessions (connected before the clock starts).
 * With `rate` (messages/s), message from+k is not appended before start + k/rate.
 */
export async function appendStamped(
  imap: ImapTarget,
  folder: string,
  address: string,
  from: number,
  to: number,
  opts: { rate?: number; sessions?: number; attachP?: number } = {},
): Promise<AppendResult> {
  const clients = await Promise.all(Array.from({ length: opts.sessions ?? 4 }, () => connect(imap)));
  let next = from;
  let bytes = 0;
  let maxLagMs = 0;
  let lastStart = 0;
  const start = Date.now();
  const session = async (client: ImapFlow) => {
    for (let i = next++; i < to; i = next++) {
      if (opts.rate !== undefined) {
        const due = start + ((i - from) * 1000) / opts.rate;
        if (due > Date.now()) await sleep(due - Date.now());
        maxLagMs = Math.max(maxLagMs, Date.now() - due);
      }
      lastStart = Date.now();
      const raw = stampedMessage(i, address, lastStart, opts.attachP);
      bytes += raw.length;
      await client.append(folder, raw);
    }
  };
  try {
    await Promise.all(clients.map(session));
  } finally {
    await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  }
  const seconds = (Date.now() - start) / 1000;
  return { bytes, seconds, startRate: to - from > 1 ? (to - from - 1) / ((lastStart - start) / 1000) : NaN, maxLagMs };
}

export interface StoredBenchMessage {
  /** Bench index from the Message-ID (bench-<i>@…), null for any other message. */
  index: number | null;
  appendedAt: number | null;
}

/** Message-ID and append stamp of every message in a folder (headers only: the attachments stay on the server). */
export async function readFolder(imap: ImapTarget, folder: string): Promise<StoredBenchMessage[]> {
  const client = await connect(imap);
  try {
    const exists = (await client.list()).some((m) => m.path === folder);
    if (!exists) return [];
    const mailbox = await client.mailboxOpen(folder, { readOnly: true });
    if (mailbox.exists === 0) return [];
    const found: StoredBenchMessage[] = [];
    for await (const m of client.fetch("1:*", { headers: ["x-bench-appended-at", "message-id"] })) {
      const text = m.headers?.toString() ?? "";
      const index = /^Message-ID:\s*<bench-(\d+)@/im.exec(text)?.[1];
      const at = /^X-Bench-Appended-At:\s*(\d+)/im.exec(text)?.[1];
      found.push({ index: index === undefined ? null : Number(index), appendedAt: at === undefined ? null : Number(at) });
    }
    return found;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
