/**
 * IMAP fetch micro-benchmark (prints figures, asserts nothing): drains a folder of small messages
 * with the command sequence ImapSource uses, in variants, over loopback and through a proxy that
 * delays every chunk by a fixed one-way latency (a remote server's round trip).
 *
 *   npx tsx bench/imap-fetch.ts [--n 2000] [--latency 0,2] [--batch 20,100] [--rounds 3] [--raw no] [--smoke]
 *   (--smoke: 50 messages, no latency, one batch size, one round; for CI. Without Dovecot it prints why and skips.)
 *
 * Variants: fetchAll vs iterating fetch(); NOOP before every SEARCH vs only when no backlog is known;
 * with and without the RFC822.SIZE round trip; and ImapSource itself (the path the worker uses).
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { ImapFlow } from "imapflow";
import { SystemClock } from "../src/clock/clock.js";
import { ImapSource } from "../src/sources/imap.js";
import type { Cursor } from "../src/sources/types.js";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../harness/dovecot.js";

/** Forwards TCP both ways, each chunk delayed by `oneWayMs` (order is kept: equal timers fire in order). */
async function latencyProxy(target: { host: string; port: number }, oneWayMs: number): Promise<{ port: number; server: Server }> {
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => (oneWayMs > 0 ? setTimeout(() => to.write(chunk), oneWayMs) : to.write(chunk)));
    from.on("end", () => setTimeout(() => to.end(), oneWayMs));
    from.on("error", () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  server.on("close", () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { port: typeof address === "object" && address ? address.port : 0, server };
}

const message = (i: number) =>
  Buffer.from(
    `From: c${i % 50}@customer.example\r\nTo: support@vendor.example\r\nSubject: request ${i}\r\n` +
      `Message-ID: <bench-${i}@customer.example>\r\nContent-Type: text/plain\r\n\r\n` +
      `${"the node fails to restart after upgrade please advise ".repeat(20 + (i % 30))}\r\n`,
  );

interface Variant {
  name: string;
  noop: "always" | "when-no-backlog";
  sizes: boolean;
  iterate: boolean;
}

/** One drain of the folder from UID 1 with `variant`'s command sequence; returns seconds. */
async function drainRaw(port: number, h: DovecotHarness, folder: string, batch: number, v: Variant, n: number): Promise<number> {
  const client = new ImapFlow({ host: "127.0.0.1", port, secure: false, auth: { user: h.user, pass: h.password }, logger: false, disableAutoIdle: true });
  client.on("error", () => {});
  await client.connect();
  const lock = await client.getMailboxLock(folder);
  try {
    const t0 = performance.now();
    let last = 0;
    let highest = 0;
    let got = 0;
    for (;;) {
      const from = last + 1;
      if (v.noop === "always" || highest < from) await client.noop();
      const found = ((await client.search({ uid: `${from}:*` }, { uid: true })) || []).filter((u) => u >= from);
      highest = found.at(-1) ?? 0;
      let wanted = found.slice(0, batch);
      if (wanted.length === 0) break;
      if (v.sizes && wanted.length > 1) {
        const sized = await client.fetchAll(wanted, { uid: true, size: true }, { uid: true });
        wanted = sized.map((m) => m.uid); // every size passes: the round trip is what is measured
      }
      const query = { uid: true, source: true, internalDate: true } as const;
      let rows: Array<{ uid: number; source?: Buffer }> = [];
      if (v.iterate) for await (const m of client.fetch(wanted, query, { uid: true })) rows.push(m);
      else rows = await client.fetchAll(wanted, query, { uid: true });
      got += rows.length;
      last = Math.max(...rows.map((r) => r.uid));
    }
    const seconds = (performance.now() - t0) / 1000;
    if (got !== n) throw new Error(`${v.name}: fetched ${got} of ${n}`);
    return seconds;
  } finally {
    lock.release();
    await client.logout();
  }
}

async function drainSource(port: number, h: DovecotHarness, folder: string, batch: number, n: number, maxBytes?: number): Promise<number> {
  const source = new ImapSource({ name: "bench", host: "127.0.0.1", port, tls: false, user: h.user, password: h.password, folder, clock: new SystemClock() });
  try {
    await source.fetchBatch(null, 1, undefined, maxBytes); // connect + select outside the timing
    const t0 = performance.now();
    let cursor: Cursor | null = null;
    let got = 0;
    for (;;) {
      const result = await source.fetchBatch(cursor, batch, undefined, maxBytes);
      if (result.messages.length === 0) break;
      got += result.messages.length;
      cursor = result.cursor;
    }
    const seconds = (performance.now() - t0) / 1000;
    if (got !== n) throw new Error(`ImapSource: fetched ${got} of ${n}`);
    return seconds;
  } finally {
    await source.close();
  }
}

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const smoke = process.argv.includes("--smoke");

async function main(): Promise<void> {
  const n = Number(arg("n", smoke ? "50" : "2000"));
  const latencies = arg("latency", smoke ? "0" : "0,2").split(",").map(Number);
  const batches = arg("batch", smoke ? "20" : "20,100").split(",").map(Number);
  const rounds = Number(arg("rounds", smoke ? "1" : "3"));
  const noDovecot = dovecotSkipReason();
  if (noDovecot && smoke) {
    console.log(`imap-fetch --smoke skipped: ${noDovecot}`);
    return;
  }
  const raw = arg("raw", "yes") !== "no";
  const variants: Variant[] = [
    { name: "fetchAll, NOOP always (before)", noop: "always", sizes: false, iterate: false },
    { name: "fetch() iterated, NOOP always", noop: "always", sizes: false, iterate: true },
    { name: "fetchAll, NOOP when no backlog", noop: "when-no-backlog", sizes: false, iterate: false },
    { name: "fetchAll, NOOP always, + sizes", noop: "always", sizes: true, iterate: false },
    { name: "fetchAll, NOOP when no backlog, + sizes", noop: "when-no-backlog", sizes: true, iterate: false },
  ];
  const h = await startDovecot();
  try {
    const folder = "Bench";
    await h.createFolder(folder);
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += message(i).length;
    const appender = new ImapFlow({ host: h.host, port: h.port, secure: false, auth: { user: h.user, pass: h.password }, logger: false });
    await appender.connect();
    for (let i = 0; i < n; i++) await appender.append(folder, message(i));
    await appender.logout();
    console.log(`${n} messages, ${(bytes / 1e6).toFixed(1)} MB; median of ${rounds} drains (s), messages/s in brackets`);
    for (const latency of latencies) {
      const proxy = await latencyProxy({ host: h.host, port: h.port }, latency);
      try {
        for (const batch of batches) {
          console.log(`one-way latency ${latency} ms, batch ${batch}:`);
          const report = (name: string, times: number[]) => {
            const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
            console.log(`  ${name.padEnd(44)} ${median.toFixed(3)} s  [${Math.round(n / median)}/s]`);
          };
          for (const v of raw ? variants : []) {
            const times: number[] = [];
            for (let r = 0; r < rounds; r++) times.push(await drainRaw(proxy.port, h, folder, batch, v, n));
            report(v.name, times);
          }
          for (const maxBytes of [undefined, 64 * 1024 * 1024]) {
            const times: number[] = [];
            for (let r = 0; r < rounds; r++) times.push(await drainSource(proxy.port, h, folder, batch, n, maxBytes));
            report(`ImapSource${maxBytes === undefined ? "" : ", maxBytes 64 MB"}`, times);
          }
        }
      } finally {
        await new Promise((resolve) => proxy.server.close(resolve));
      }
    }
  } finally {
    await h.stop();
  }
}

await main();
