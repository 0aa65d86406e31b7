/**
 * Delivery adapters: SMTP through nodemailer (pooled), or .eml files in a folder (the embedded default).
 * Both take the same plain OutgoingMail and say whether a failure is worth retrying.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";
import { OAuthError, scrubSecrets, type OAuth2Login } from "../auth/token.js";

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
  /** Instead of `auth`: AUTH XOAUTH2 with tokens from here (renewed once when the server refuses one). */
  oauth2?: OAuth2Login;
  pool?: boolean;
  /** Pooled connections open at once (nodemailer's maxConnections): as many as mails the outbox keeps in flight. */
  maxConnections?: number;
  /** Seconds to wait for a connection / greeting before calling it a temporary failure. */
  timeoutSeconds?: number;
}

/** A plain address ("a@b.example": no display name, comment, group or quoting) as addressparser would read it. */
const BARE_ADDRESS = /^[^\s<>(),;:"\\[\]@]+@[^\s<>(),;:"\\[\]@]+$/;

/**
 * A plain address handed to nodemailer already parsed. Given a string, nodemailer runs its address parser
 * over it each time it builds a header or asks for the envelope (several times a mail): an acknowledgment
 * copied to an organisation's hundred contacts spent more CPU there than on anything else it did. The
 * object is exactly what that parser returns for such a string, so headers and envelope are unchanged;
 * anything else is left to the parser.
 */
const parsedAddress = (address: string): string | { name: string; address: string } => (BARE_ADDRESS.test(address) ? { name: "", address } : address);

function toNodemailer(mail: OutgoingMail) {
  return {
    from: parsedAddress(mail.from),
    to: mail.to.map(parsedAddress),
    cc: mail.cc.length ? mail.cc.map(parsedAddress) : undefined,
    replyTo: mail.replyTo !== null ? parsedAddress(mail.replyTo) : undefined,
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

/** Header names nodemailer takes envelope addresses from (mime-node getEnvelope). */
const ENVELOPE_HEADERS = new Set(["from", "reply-to", "sender", "to", "cc", "bcc"]);

/**
 * The mail with its SMTP envelope given: the one nodemailer would derive from From, To and Cc (duplicates
 * dropped, in that order), which it otherwise derives again, every address normalised anew, each of the
 * three times it asks for it per mail. Left to nodemailer when extra headers could name addresses too.
 */
function withEnvelope<T extends ReturnType<typeof toNodemailer>>(data: T, mail: OutgoingMail): T & { envelope?: { from: T["from"]; to: T["to"]; cc: T["cc"] } } {
  if (Object.keys(mail.headers).some((k) => ENVELOPE_HEADERS.has(k.toLowerCase()))) return data;
  return { ...data, envelope: { from: data.from, to: data.to, cc: data.cc } };
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
    auth: opts.oauth2 ? xoauth2(opts.oauth2) : opts.auth,
    pool: opts.pool ?? true,
    maxConnections: opts.maxConnections ?? 5,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
    // Loopback test servers and internal relays often use self-signed certificates only when not `secure`.
    tls: { rejectUnauthorized: opts.secure },
  });
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail(withEnvelope(toNodemailer(mail), mail));
        if (info.rejected?.length && !info.accepted?.length) {
          return { status: "permanent", error: `all recipients rejected: ${info.rejected.join(", ")}` };
        }
        return { status: "sent", detail: info.response };
      } catch (error) {
        return opts.oauth2 ? classifyOAuthSmtpError(error, opts.oauth2, opts.host) : classifySmtpError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * nodemailer asks `provisionCallback` for a token on every login, with renew=true after the server
 * refused one (it then tries once more). The expiry handed back is in the past on purpose, so
 * nodemailer keeps no token of its own and the TokenCache alone decides when to renew.
 */
function xoauth2(login: OAuth2Login) {
  const provisionCallback = (_user: string, renew: boolean, callback: (err: Error | null, token?: string, expires?: number) => void) => {
    (renew ? login.tokens.renew() : login.tokens.get()).then(
      (token) => callback(null, token, 1),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  };
  return { type: "OAuth2" as const, user: login.user, provisionCallback };
}

/**
 * A refused login or an unreachable token endpoint says nothing about the mail: it waits (temporary)
 * until the app's permissions or secret are fixed, and the message names the step that failed.
 */
export function classifyOAuthSmtpError(error: unknown, login: OAuth2Login, host: string): DeliveryResult {
  const e = error as { code?: string; responseCode?: number; message?: string };
  const provider = login.tokens.provider.describe;
  if (e.code !== "EAUTH") return classifySmtpError(error);
  if (typeof e.responseCode !== "number") {
    const why = error instanceof OAuthError ? error.message : scrubSecrets(e.message ?? String(error));
    return { status: "temporary", error: `smtp: token endpoint: ${why}` };
  }
  return {
    status: "temporary",
    error:
      `smtp: SMTP AUTH (XOAUTH2) as ${login.user} at ${host} refused a renewed access token from ${provider}: ${scrubSecrets(e.message ?? "")}; ` +
      "check that the app may send as this user (Microsoft: SMTP.SendAsApp and SMTP AUTH enabled for the mailbox; Google: domain-wide delegation of https://mail.google.com/)",
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
