/**
 * The end-to-end driver: one support desk run through the real pipeline on a simulated clock.
 * Mail goes in as raw RFC 5322 text (into a Maildir, or appended to a real Dovecot over IMAP), and every
 * tick does what the worker does: drain the mailbox, run the SLA scheduler and the daily digest, deliver
 * the outbox (to .eml files, or to a real SMTP server). What a tick delivered is parsed back from the
 * bytes that left the process, so scenarios assert what a person would read.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import { desc, eq } from "drizzle-orm";
import { ManualClock } from "../../src/clock/clock.js";
import { digestTick } from "../../src/digest/job.js";
import { deliverDue } from "../../src/outbox/deliver.js";
import { createEmlSender, createSmtpSender, type MailSender } from "../../src/outbox/sender.js";
import { ImapSource } from "../../src/sources/imap.js";
import { deliverToMaildir, MaildirSource } from "../../src/sources/maildir.js";
import type { MailSource } from "../../src/sources/types.js";
import type { Db } from "../../src/store/database.js";
import * as schema from "../../src/store/schema/index.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { createOrganization } from "../../src/store/repos/organizations.js";
import { createStaff, type Staff } from "../../src/store/repos/staff.js";
import type { Desk } from "../../src/desk.js";
import { drainSource } from "../../src/inbound/drain.js";
import { schedulerTick } from "../../src/scheduler/tick.js";
import { testDatabases, type TestDatabase } from "../support/db.js";
import { inboundDeps, SUPPORT, testDesk } from "../support/desk.js";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../../harness/dovecot.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";

export const MIN = 60_000;
export const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not an instant: ${iso}`);
  return t;
};

export interface Backend {
  label: string;
  target: TestDatabase;
  real: boolean;
  toString(): string;
}

let skipPrinted = false;

/** PGlite + Maildir + .eml always; real Postgres + Dovecot + SMTP when TEST_DATABASE_URL is set and Dovecot can run. */
export function e2eBackends(): Backend[] {
  const targets = testDatabases();
  const backends: Backend[] = [];
  const pglite = targets.find((t) => t.name === "pglite")!;
  backends.push({ label: "PGlite + Maildir + .eml outbox", target: pglite, real: false, toString: () => "PGlite + Maildir + .eml outbox" });
  const postgres = targets.find((t) => t.name === "postgres");
  const dovecot = dovecotSkipReason();
  if (postgres && !dovecot) {
    const label = "Postgres + Dovecot IMAP + SMTP";
    backends.push({ label, target: postgres, real: true, toString: () => label });
  } else if (!skipPrinted) {
    skipPrinted = true;
    const why = [!postgres ? "TEST_DATABASE_URL is not set" : null, dovecot].filter(Boolean).join("; ");
    console.warn(`e2e: the Postgres + Dovecot + SMTP run is skipped: ${why}.`);
  }
  return backends;
}

/** One delivered mail, read back from what was written to disk or received over SMTP. */
export interface Sent {
  /** The simulated instant of the tick that delivered it. */
  at: number;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  autoSubmitted: string | null;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => (v.address ?? "").toLowerCase()));

function toSent(parsed: ParsedMail, instant: number): Sent {
  const auto = parsed.headers.get("auto-submitted");
  return {
    at: instant,
    from: addresses(parsed.from)[0] ?? "",
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject ?? "",
    text: (parsed.text ?? "").replace(/\r\n/g, "\n"),
    autoSubmitted: typeof auto === "string" ? auto : null,
  };
}

export interface People {
  alice: Staff;
  mike: Staff;
  erin: Staff;
}

export interface OrgSpec {
  name: string;
  policyId: string;
  domain: string;
  timeZone: string | null;
  entitlements?: string[];
  /** The requester (a DTC); a second DTC is created beside them. */
  requester: { email: string; name: string; timeZone: string | null };
}

export interface Driver {
  db: Db;
  desk: Desk;
  clock: ManualClock;
  /** Every mail delivered so far, in delivery order. */
  sent: Sent[];
  /** Empties the database (the clock keeps going forward) and seeds the staff again. */
  reset(): Promise<People>;
  seedOrg(spec: OrgSpec): Promise<void>;
  /** Puts a raw message into the support mailbox (it is read at the next tick). */
  deliver(raw: string): Promise<void>;
  /** Moves the clock to `instant` and runs one worker pass; returns the mail it delivered. */
  tick(instant: number): Promise<Sent[]>;
  /** The mail matching `match` delivered by a tick one minute before `instant`, and by a tick at `instant`. */
  around(instant: number, match: (m: Sent) => boolean): Promise<{ before: Sent[]; at: Sent[] }>;
  caseBySubject(subject: string): Promise<typeof schema.cases.$inferSelect>;
  close(): Promise<void>;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export async function startDriver(backend: Backend, policyId: string, start: number): Promise<Driver> {
  const db = await backend.target.open();
  const desk = testDesk();
  const clock = new ManualClock(start);
  const deps = inboundDeps(db, clock, desk);
  const mailbox = { name: "support", address: SUPPORT, defaultPolicy: policyId, folder: "INBOX", usesCursor: backend.real };
  const sent: Sent[] = [];

  let source: MailSource;
  let sender: MailSender;
  let deliverRaw: (raw: string) => Promise<void>;
  let collect: (instant: number) => Promise<Sent[]>;
  let stopServers = async () => {};

  if (backend.real) {
    const dovecot: DovecotHarness = await startDovecot();
    const smtp: TestSmtpServer = await startSmtpServer();
    source = new ImapSource({ name: "support", host: dovecot.host, port: dovecot.port, tls: false, user: dovecot.user, password: dovecot.password, clock, logger: quiet });
    sender = createSmtpSender({ host: smtp.host, port: smtp.port, secure: false, pool: false });
    deliverRaw = async (raw) => void (await dovecot.appendMessage(raw));
    let seen = 0;
    collect = async (instant) => {
      const fresh = smtp.received.slice(seen);
      seen = smtp.received.length;
      return fresh.map((r) => toSent(r.parsed, instant));
    };
    stopServers = async () => {
      await source.close();
      await sender.close();
      await smtp.stop();
      await dovecot.stop();
    };
  } else {
    const maildir = await mkdtemp(join(tmpdir(), "e2e-maildir-"));
    const outDir = await mkdtemp(join(tmpdir(), "e2e-outbox-"));
    source = new MaildirSource({ name: "support", path: maildir, clock });
    sender = createEmlSender(outDir);
    deliverRaw = async (raw) => void (await deliverToMaildir(maildir, raw));
    const seen = new Set<string>();
    collect = async (instant) => {
      const files = (await readdir(outDir)).filter((f) => f.endsWith(".eml") && !seen.has(f)).sort();
      const out: Sent[] = [];
      for (const f of files) {
        seen.add(f);
        out.push(toSent(await simpleParser(await readFile(join(outDir, f))), instant));
      }
      return out;
    };
    stopServers = async () => {
      await rm(maildir, { recursive: true, force: true });
      await rm(outDir, { recursive: true, force: true });
    };
  }

  const tick = async (instant: number): Promise<Sent[]> => {
    clock.set(instant);
    const drained = await drainSource(deps, source, mailbox);
    if (drained.failed) throw new Error(`e2e: ${drained.failed} message(s) failed processing at ${new Date(instant).toISOString()}`);
    const ticked = await schedulerTick({ db, desk, clock, logger: quiet });
    if (ticked.failed) throw new Error(`e2e: ${ticked.failed} case(s) failed SLA evaluation at ${new Date(instant).toISOString()}`);
    await digestTick({ db, desk, clock, logger: quiet });
    for (;;) {
      const delivered = await deliverDue({ db, sender, clock, logger: quiet });
      if (delivered.retried || delivered.failed) throw new Error(`e2e: delivery failed at ${new Date(instant).toISOString()}`);
      if (delivered.claimed === 0) break;
    }
    const fresh = await collect(instant);
    sent.push(...fresh);
    return fresh;
  };

  const seedStaff = async (): Promise<People> => {
    const alice = await createStaff(db, { email: "alice@vendor.example", name: "Alice Engineer", role: "engineer", timeZone: "America/Los_Angeles" });
    const mike = await createStaff(db, { email: "mike@vendor.example", name: "Mike Manager", role: "manager", timeZone: "America/New_York" });
    const erin = await createStaff(db, { email: "erin@vendor.example", name: "Erin Executive", role: "executive", timeZone: "America/New_York" });
    return { alice, mike, erin };
  };

  return {
    db,
    desk,
    clock,
    sent,
    async reset() {
      const s = schema;
      for (const t of [s.erasurePeople, s.personalDataErasures, s.outbox, s.digestsSent, s.lifecycleNotices, s.attachments, s.caseEvents, s.messages, s.cases, s.inboundRejections, s.processingAttempts, s.mailboxCursors, s.contacts, s.organizations, s.staff]) {
        await db.delete(t);
      }
      return seedStaff();
    },
    async seedOrg(spec) {
      const org = await createOrganization(db, {
        name: spec.name,
        policyId: spec.policyId,
        entitlements: spec.entitlements ?? [],
        domains: [spec.domain],
        timeZone: spec.timeZone,
      });
      await createContact(db, { ...spec.requester, organizationId: org.id, dtc: true });
      await createContact(db, { email: `second.dtc@${spec.domain}`, name: "Second Contact", organizationId: org.id, dtc: true });
    },
    deliver: deliverRaw,
    tick,
    async around(instant, match) {
      const before = (await tick(instant - MIN)).filter(match);
      return { before, at: (await tick(instant)).filter(match) };
    },
    async caseBySubject(subject) {
      const [row] = await db.select().from(schema.cases).where(eq(schema.cases.subject, subject)).orderBy(desc(schema.cases.number)).limit(1);
      if (!row) throw new Error(`e2e: no case with subject "${subject}"`);
      return row;
    },
    async close() {
      await stopServers();
      await backend.target.close();
    },
  };
}

let serial = 0;

/** A customer's request as raw RFC 5322 text, the template fields as "Label: value" lines. */
export function requestMail(m: { from: string; fromName: string; subject: string; date: number; fields: Array<[string, string]>; intro?: string }): string {
  const id = `e2e-${++serial}-${m.date}@${m.from.split("@")[1]}`;
  const body = [m.intro ?? "Hello support,", "", ...m.fields.map(([k, v]) => `${k}: ${v}`), "", "Thanks,", m.fromName.split(" ")[0]!];
  return rfc5322({ from: `${m.fromName} <${m.from}>`, subject: m.subject, date: m.date, messageId: id, body: body.join("\r\n") });
}

/** An engineer's email to the support address with the case token in the subject. */
export function staffMail(m: { from: string; fromName: string; subject: string; date: number; body: string }): string {
  const id = `e2e-staff-${++serial}-${m.date}@vendor.example`;
  return rfc5322({ from: `${m.fromName} <${m.from}>`, subject: m.subject, date: m.date, messageId: id, body: m.body.replace(/\r?\n/g, "\r\n") });
}

function rfc5322(m: { from: string; subject: string; date: number; messageId: string; body: string }): string {
  return [
    `From: ${m.from}`,
    `To: Support <${SUPPORT}>`,
    `Subject: ${m.subject}`,
    `Date: ${new Date(m.date).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${m.messageId}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    m.body,
    "",
  ].join("\r\n");
}

/** Mail kinds as a person tells them apart: by subject (and Auto-Submitted for acknowledgments). */
export const is = {
  ack: (n: number) => (m: Sent) => m.autoSubmitted === "auto-replied" && m.subject.startsWith(`Re: [Case #${n}] `),
  reminder: (n: number, metric: string) => (m: Sent) => m.subject.startsWith(`[Case #${n}] Reminder: ${metric} due `),
  breach: (n: number, metric: string) => (m: Sent) => m.subject.startsWith(`[Case #${n}] SLA breach: ${metric} `),
  anyReminder: (n: number) => (m: Sent) => m.subject.startsWith(`[Case #${n}] Reminder: `) || m.subject.startsWith(`[Case #${n}] SLA breach: `),
  relay: (n: number) => (m: Sent) => m.autoSubmitted === null && m.subject.startsWith(`Re: [Case #${n}] `),
  digest: (day: string) => (m: Sent) => m.subject.startsWith(`SLA digest ${day}`),
};

/** What a breach alert says when Konneqt's policy escalates a missed workaround or resolution. */
export const ESCALATION =
  "The policy escalates this to the executive team: a war team of support engineers, executives and the subscriber's representatives sets the response plan and the status update frequency.";
