/**
 * The SMTP server the ingest bench's service delivers its acknowledgments to, in a process of its own so
 * that the bench's appender does not slow it down (nor it the appender). smtp-server on a loopback port
 * the parent chooses; for each accepted message it keeps when the server accepted it (epoch ms, after the
 * end of DATA, the moment the client is told 250), its Message-ID and the bench message it answers.
 * The parent asks over IPC: {type: "report"} → {type: "report", accepted: Accepted[]}.
 */
import { SMTPServer } from "smtp-server";

export interface Accepted {
  at: number;
  messageId: string;
  /** Bench index of the mail this one replies to (In-Reply-To or References: <bench-i@…>), or null. */
  replyTo: number | null;
}

const MESSAGE_ID = /^Message-ID:\s*<([^>\r\n]+)>/im;
const BENCH_REF = /^(?:In-Reply-To|References):[^\r\n]*<bench-(\d+)@/im;

const port = Number(process.argv[2]);
const accepted: Accepted[] = [];
const server = new SMTPServer({
  secure: false,
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  maxClients: 100,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf("\r\n\r\n");
      const head = raw.subarray(0, end < 0 ? raw.length : end).toString("latin1");
      const ref = BENCH_REF.exec(head)?.[1];
      accepted.push({ at: Date.now(), messageId: MESSAGE_ID.exec(head)?.[1] ?? "(no Message-ID)", replyTo: ref === undefined ? null : Number(ref) });
      callback();
    });
  },
});
server.on("error", () => {}); // a client hanging up mid-session is its business; the bench counts what was accepted
server.listen(port, "127.0.0.1", () => process.send!({ type: "listening" }));
process.on("message", (m: { type: string }) => {
  if (m.type === "report") process.send!({ type: "report", accepted });
  if (m.type === "close") server.close(() => process.exit(0));
});
process.on("disconnect", () => process.exit(0));
