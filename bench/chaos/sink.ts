/**
 * The SMTP server the chaos suite's worker delivers to: smtp-server in this process, on a fixed loopback
 * port, counting every accepted message per Message-ID. It can be told to refuse connections (the port
 * closed, so the client sees ECONNREFUSED), to answer 451 to every MAIL FROM, or to accept again.
 */
import { createServer } from "node:net";
import { SMTPServer } from "smtp-server";

export type SinkMode = "accept" | "refuse" | "451";

export interface SmtpSink {
  readonly port: number;
  mode(): SinkMode;
  setMode(mode: SinkMode): Promise<void>;
  /** Deliveries accepted so far, per Message-ID (without angle brackets). */
  delivered(messageId: string): number;
  readonly accepted: number;
  readonly tempFailed: number;
  /** Forgets the counts: each scenario has its own database, whose Message-IDs may repeat another's. */
  reset(): void;
  close(): Promise<void>;
}

const MESSAGE_ID = /^Message-ID:\s*<([^>\r\n]+)>/im;

export async function startSmtpSink(): Promise<SmtpSink> {
  const counts = new Map<string, number>();
  let mode: SinkMode = "accept";
  let accepted = 0;
  let tempFailed = 0;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    // A busy worker opens a pool of connections; none of them should be turned away for being many.
    maxClients: 100,
    onMailFrom(_address, _session, callback) {
      if (mode !== "451") return callback();
      tempFailed++;
      callback(Object.assign(new Error("4.3.0 chaos sink: try again later"), { responseCode: 451 }));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        const head = raw.subarray(0, Math.max(0, raw.indexOf("\r\n\r\n")) || raw.length).toString("latin1");
        const id = MESSAGE_ID.exec(head)?.[1] ?? "(no Message-ID)";
        counts.set(id, (counts.get(id) ?? 0) + 1);
        accepted++;
        callback();
      });
    },
  });
  server.on("error", () => {}); // a client that hangs up mid-session is its own business
  const port = await freePort();
  const listen = () => new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, "127.0.0.1", () => (server.server.off("error", reject), resolve()));
  });
  // Closing the listener refuses new connections; open sessions are cut so pooled ones cannot go on sending.
  const unlisten = () => new Promise<void>((resolve) => {
    server.server.close(() => resolve());
    for (const c of (server as unknown as { connections: Set<{ close(): void }> }).connections) c.close();
  });
  await listen();
  return {
    port,
    mode: () => mode,
    async setMode(next) {
      if (next === "refuse" && mode !== "refuse") await unlisten();
      if (next !== "refuse" && mode === "refuse") await listen();
      mode = next;
    },
    delivered: (id) => counts.get(id) ?? 0,
    reset: () => counts.clear(),
    get accepted() {
      return accepted;
    },
    get tempFailed() {
      return tempFailed;
    },
    async close() {
      if (mode !== "refuse") await unlisten();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}
