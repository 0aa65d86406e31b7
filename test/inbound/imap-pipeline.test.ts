/**
 * The inbound pipeline end to end against a real Dovecot and both databases: mail appended over IMAP
 * becomes cases and lands in Processed; a worker killed mid-batch, a UIDVALIDITY change and a server
 * restart neither duplicate nor lose a message. Every test has its own folders and a clean directory.
 */
import { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock, SystemClock } from "../../src/clock/clock.js";
import { ImapSource } from "../../src/sources/imap.js";
import type { Db } from "../../src/store/database.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import {
  attachments, caseEvents, cases, contacts, inboundRejections, mailboxCursors, messages, organizations, outbox, processingAttempts, staff,
} from "../../src/store/schema/index.js";
import { drainSource } from "../../src/inbound/drain.js";
import { processRawMessage } from "../../src/inbound/process.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, seedAcme, SUPPORT } from "../support/desk.js";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../../harness/dovecot.js";

const skip = dovecotSkipReason();
if (skip) console.warn(`Skipping IMAP pipeline tests: ${skip}`);

let seq = 0;

/** A DTC's request (Jane is an active DTC of Acme in seedAcme), unique per test and target. */
const request = (tag: string, n: number) =>
  Buffer.from(
    `From: Jane Doe <jane.doe@customer.example>\r\nTo: ${SUPPORT}\r\nSubject: Request ${n}: ingest stalls\r\n` +
      `Date: Tue, 10 Nov 2026 09:00:00 -0800\r\nMessage-ID: <req-${tag}-${n}@customer.example>\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\nName: Jane Doe\r\nCompany: Acme\r\nSeverity: 3\r\n` +
      `Environment: production\r\nSteps to reproduce:\r\n1. publish ${n} events\r\n`,
  );

/**
 * Message-IDs in a folder, read on a fresh session: a session that had the folder selected earlier may
 * not have synced another session's moves yet.
 */
async function messageIdsIn(h: DovecotHarness, folder: string): Promise<string[]> {
  const client = new ImapFlow({ host: h.host, port: h.port, secure: false, auth: { user: h.user, pass: h.password }, logger: false, disableAutoIdle: true });
  client.on("error", () => {});
  await client.connect();
  try {
    const box = await client.mailboxOpen(folder).catch(() => null);
    if (!box || box.exists === 0) return [];
    const msgs = await client.fetchAll("1:*", { envelope: true });
    return msgs.map((m) => m.envelope?.messageId?.replace(/^<|>$/g, "") ?? "").sort();
  } finally {
    await client.logout();
  }
}

describe.skipIf(skip !== null)("IMAP → cases pipeline", () => {
  let dovecot: DovecotHarness;
  beforeAll(async () => {
    dovecot = await startDovecot();
  }, 30_000);
  afterAll(() => dovecot?.stop());

  describe.each(testDatabases())("on %s", (target) => {
    let db: Db;
    let folder: string;
    let tag: string;
    const sources: ImapSource[] = [];
    const clock = new ManualClock("2026-11-10T17:14:30Z");

    beforeAll(async () => {
      db = await target.open();
    });
    afterAll(() => target.close());
    beforeEach(async () => {
      for (const t of [outbox, attachments, caseEvents, messages, cases, inboundRejections, processingAttempts, mailboxCursors, contacts, organizations, staff]) await db.delete(t);
      await seedAcme(db);
      seq += 1;
      tag = `${target.name}-${seq}`;
      folder = `In-${tag}`;
    });
    afterEach(async () => {
      await Promise.all(sources.splice(0).map((s) => s.close()));
    });

    const open = () => {
      const source = new ImapSource({
        name: "support", host: dovecot.host, port: dovecot.port, tls: false, user: dovecot.user, password: dovecot.password,
        folder, processedFolder: `Processed-${tag}`, quarantineFolder: `Quarantine-${tag}`,
        clock: new SystemClock(), backoff: { initialMs: 50, maxMs: 400 },
      });
      sources.push(source);
      return source;
    };
    const mailbox = () => ({ name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder, usesCursor: true });
    const append = async (...ns: number[]) => {
      for (const n of ns) await dovecot.appendMessage(request(tag, n), folder);
    };
    /** What a user checks: one case and one acknowledgment per request, nothing left in the inbox. */
    const expectCasesFor = async (ns: number[]) => {
      const opened = await listCases(db);
      expect(opened.map((c) => c.subject).sort()).toEqual(ns.map((n) => `Request ${n}: ingest stalls`).sort());
      const acks = (await listOutbox(db)).filter((r) => r.kind === "acknowledgment");
      expect(acks).toHaveLength(ns.length);
      expect(await messageIdsIn(dovecot, folder)).toEqual([]);
      expect(await messageIdsIn(dovecot, `Processed-${tag}`)).toEqual(ns.map((n) => `req-${tag}-${n}@customer.example`).sort());
    };

    it("a mail the server received at 09:00 (APPEND with that INTERNALDATE) and read at 12:00 is due from 09:00", async () => {
      await dovecot.appendMessage(request(tag, 1), folder, new Date("2026-11-10T17:00:00Z")); // Tue 09:00 Pacific
      const noon = new ManualClock("2026-11-10T20:00:00Z"); // read at 12:00 Pacific
      await drainSource(inboundDeps(db, noon), open(), mailbox());
      const [opened] = await listCases(db);
      expect(opened!.openedAt.toISOString()).toBe("2026-11-10T17:00:00.000Z");
      const [ack] = (await listOutbox(db)).filter((r) => r.kind === "acknowledgment");
      // VANTIQ Severity 3: 1 business day (08:00–18:00 Pacific) from 09:00 Tuesday, not from noon nor the Date: header.
      expect(ack!.text).toContain("Our first response is due by Wed 11 Nov 2026, 09:00 PST");
    }, 60_000);

    it("mail appended over IMAP becomes cases, and the messages land in Processed", async () => {
      await append(1, 2, 3);
      const summary = await drainSource(inboundDeps(db, clock), open(), mailbox(), undefined, { messages: 2, bytes: 1 << 20 });
      expect(summary).toMatchObject({ fetched: 3, processed: 3, failed: 0, quarantined: 0 });
      await expectCasesFor([1, 2, 3]);
      const [first] = await listCases(db);
      expect(first).toMatchObject({ status: "open", severity: "3", environment: "production" });
    }, 60_000);

    it("a worker killed after committing but before moving leaves no duplicate and no lost message", async () => {
      await append(1, 2, 3, 4, 5);
      // The first worker fetched a batch and committed three messages, then died before moving any.
      const doomed = open();
      const batch = await doomed.fetchBatch(null, 10);
      for (const m of batch.messages.slice(0, 3)) await processRawMessage(inboundDeps(db, clock), mailbox(), m.raw, { key: m.key, receivedAt: m.receivedAt });
      await doomed.close();
      expect(await messageIdsIn(dovecot, folder)).toHaveLength(5);

      const summary = await drainSource(inboundDeps(db, clock), open(), mailbox());
      expect(summary).toMatchObject({ processed: 5, failed: 0 });
      await expectCasesFor([1, 2, 3, 4, 5]);
    }, 60_000);

    it("a drain aborted between batches resumes where it stopped, though the next batch was already fetched", async () => {
      await append(1, 2, 3, 4);
      const controller = new AbortController();
      const deps = inboundDeps(db, clock);
      let opened = 0;
      // Stop the worker right after the first batch (two cases) commits; the logger hears of it after the commit.
      deps.logger = { ...deps.logger, info: () => void (++opened === 2 && controller.abort()) };
      const first = await drainSource(deps, open(), mailbox(), controller.signal, { messages: 2, bytes: 1 << 20 });
      expect(first.processed).toBe(2);
      expect(await listCases(db)).toHaveLength(2);

      const rest = await drainSource(inboundDeps(db, clock), open(), mailbox());
      expect(rest).toMatchObject({ processed: 2, failed: 0 });
      await expectCasesFor([1, 2, 3, 4]);
    }, 60_000);

    it("after a UIDVALIDITY change the same mail again re-processes nothing, and new mail still opens a case", async () => {
      await append(1, 2, 3);
      const source = open();
      await drainSource(inboundDeps(db, clock), source, mailbox());
      await expectCasesFor([1, 2, 3]);
      const ackIds = (await listOutbox(db)).filter((r) => r.kind === "acknowledgment").map((r) => r.id);

      // A mailbox rebuild: the server presents the same messages again under a new UIDVALIDITY, plus a new one.
      await append(1, 2, 3, 4);
      await dovecot.setUidValidity(folder, 4_000_000_000 - seq);
      const again = await drainSource(inboundDeps(db, clock), source, mailbox());
      expect(again).toMatchObject({ fetched: 4, processed: 4, failed: 0 });
      expect(await listCases(db)).toHaveLength(4);
      const acks = (await listOutbox(db)).filter((r) => r.kind === "acknowledgment");
      expect(acks).toHaveLength(4);
      expect(acks.map((r) => r.id)).toEqual(expect.arrayContaining(ackIds));
      expect(await messageIdsIn(dovecot, folder)).toEqual([]);
      const cursor = await db.select().from(mailboxCursors);
      expect(cursor).toEqual([expect.objectContaining({ mailbox: "support", folder, uidValidity: 4_000_000_000 - seq })]);
    }, 60_000);

    it("a server restart while the worker waits for mail: new mail still becomes a case", async () => {
      await append(1);
      const source = open();
      await drainSource(inboundDeps(db, clock), source, mailbox());
      // The worker waits (IDLE) for new mail; the server restarts under it.
      const waiting = source.waitForNew(AbortSignal.timeout(20_000), 20_000);
      await dovecot.restart();
      await waiting;
      await append(2);
      const summary = await drainSource(inboundDeps(db, clock), source, mailbox());
      expect(summary).toMatchObject({ processed: 1, failed: 0 });
      await expectCasesFor([1, 2]);
    }, 60_000);
  });
});
