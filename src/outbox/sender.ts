/**
 * Delivery adapters: SMTP through nodemailer (pooled), or .eml files in a folder (the embedded default).
 * Both take the same plain OutgoingMail and say whether a failure is worth retrying.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";

export interface OutgoingMail {
  kind: string;
  caseNumber: number | null;
  from: string;
  to: string[];
  cc: string[];
  replyTo: string | null;
  subject: string;
  /** Without angle brackets. */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  headers: Record<string, string>;
  text: string;
  html: string | null;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** Used only to name .eml files in time order; the Date header is this instant too. */
  date: number;
}

export type DeliveryResult =
  | { status: "sent"; detail?: string }
  | { status: "temporary"; error: string }
  | { status: "permanent"; error: string };

export interface MailSender {
  send(mail: OutgoingMail): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string } | undefined;
  pool?: boolean;
  /** Seconds to wait for a connection / greeting before calling it a temporary failure. */
  timeoutSeconds?: number;
}

function toNodemailer(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    cc: mail.cc.length ? mail.cc : undefined,
    replyTo: mail.replyTo ?? undefined,
    subject: mail.subject,
    messageId: `<${mail.messageId}>`,
    inReplyTo: mail.inReplyTo ? `<${mail.inReplyTo}>` : undefined,
    references: mail.references.length ? mail.references.map((r) => `<${r}>`) : undefined,
    headers: mail.headers,
    text: mail.text,
    html: mail.html ?? undefined,
    date: new Date(mail.date),
    attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  };
}

/** SMTP reply codes 4xx and network trouble are temporary; 5xx is permanent (RFC 5321 §4.2.1). */
export function classifySmtpError(error: unknown): DeliveryResult {
  const e = error as { responseCode?: number; code?: string; message?: string };
  const message = e?.message ?? String(error);
  if (typeof e?.responseCode === "number") {
    return e.responseCode >= 500 ? { status: "permanent", error: message } : { status: "temporary", error: message };
  }
  // No SMTP reply at all: connection refused, reset, timed out, TLS trouble: the server may come back.
  return { status: "temporary", error: message };
}

export function createSmtpSender(opts: SmtpOptions): MailSender {
  const timeout = (opts.timeoutSeconds ?? 30) * 1000;
  const transport = nodemailer.createTransport({
    host: opts.host,
    port: opts.port,
    secure: opts.secure,
    auth: opts.auth,
    pool: opts.pool ?? true,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
    // Loopback test servers and internal relays often use self-signed certificates only when not `secure`.
    tls: { rejectUnauthorized: opts.secure },
  });
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail(toNodemailer(mail));
        if (info.rejected?.length && !info.accepted?.length) {
          return { status: "permanent", error: `all recipients rejected: ${info.rejected.join(", ")}` };
        }
        return { status: "sent", detail: info.response };
      } catch (error) {
        return classifySmtpError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** `20261123T100000Z-acknowledgment-case-1042-dana@customer.example.eml`: sortable and findable by a person. */
export function emlFileName(mail: OutgoingMail): string {
  const stamp = new Date(mail.date).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const who = (mail.to[0] ?? "nobody").replace(/[^a-zA-Z0-9@._-]/g, "_");
  const casePart = mail.caseNumber !== null ? `-case-${mail.caseNumber}` : "";
  return `${stamp}-${mail.kind}${casePart}-${who}-${mail.messageId.split("@")[0]!.slice(0, 8)}.eml`;
}

export function createEmlSender(dir: string): MailSender {
  return {
    async send(mail) {
      try {
        await mkdir(dir, { recursive: true });
        const raw = await new MailComposer(toNodemailer(mail)).compile().build();
        // Written under a temporary name then renamed, so a reader never sees half a message;
        // the name is derived from the Message-ID, so a retry after a crash overwrites, not duplicates.
        const final = join(dir, emlFileName(mail));
        const tmp = `${final}.tmp`;
        await writeFile(tmp, raw);
        await rename(tmp, final);
        return { status: "sent", detail: final };
      } catch (error) {
        return { status: "temporary", error: (error as Error).message };
      }
    },
    async close() {},
  };
}
