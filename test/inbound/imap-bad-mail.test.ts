/**
 * Bad mail on IMAP, where the read cursor matters (issue 14): a drain goes on past a message that fails,
 * while the stored cursor stays before it, so the next drain, reading from the cursor, sees it again; on
 * its third failure it is quarantined and the reply held behind it goes through. Against a private
 * Dovecot and both databases; one worker's source kept across drains, as `start` keeps it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock, SystemClock } from "../../src/clock/clock.js";
import { drainSource, type DrainSummary } from "../../src/inbound/drain.js";
import { ImapSource } from "../../src/sources/imap.js";
import type { Db } from "../../src/store/database.js";
import { listCases } from "../../src/store/repos/cases.js";
import { inboundRejections, mailboxCursors } from "../../src/store/schema/index.js";
import { malformedMail, malformedMix } from "../../harness/malformed-mail.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, resetAndSeedAcme, SUPPORT } from "../support/desk.js";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../../harness/dovecot.js";

const skip = dovecotSkipReason();
if (skip) console.warn(`Skipping IMAP bad-mail tests: ${skip}`);

const JANE = "Jane Doe <jane.doe@customer.example>";
let seq = 0;

const request = (tag: string, n: number, from = JANE, extra = "") =>
  Buffer.from(
    `From: ${from}\r\nTo: ${SUPPORT}\r\nSubject: [Sev3] request ${n}\r\nMessage-ID: <req-${tag}-${n}@customer.example>\r\n${extra}\r\n` +
      `Name: Jane Doe\r\nEnvironment: production\r\nThe stream stalls, case ${n}.\r\n`,
  );

describe.skipIf(skip !== null)("bad mail over IMAP", () => {
  let dovecot: DovecotHarness;
  beforeAll(async () => void (dovecot = await startDovecot()), 30_000);
  afterAll(() => dovecot?.stop());

  describe.each(testDatabases())("on %s", (target) => {
    let db: Db;
    let tag: string;
    let folder: string;
    let source: ImapSource;
    const clock = new ManualClock("2026-11-10T17:14:30Z");

    beforeAll(async () => void (db = await target.open()));
    afterAll(() => target.close());
    beforeEach(async () => {
      await db.delete(mailboxCursors);
      await resetAndSeedAcme(db);
      tag = `${target.name}-${++seq}`;
      folder = `In-${tag}`;
      source = imapSource(folder);
    });
    afterEach(() => source.close());

    const imapSource = (f: string) =>
      new ImapSource({
        name: "support", host: dovecot.host, port: dovecot.port, tls: false, user: dovecot.user, password: dovecot.password,
        folder: f, processedFolder: `Processed-${tag}`, quarantineFolder: `Quarantine-${tag}`,
        clock: new SystemClock(), backoff: { initialMs: 50, maxMs: 400 },
      });
    /** UIDs in a folder, read on a new session (one that had it selected may not have seen the worker's moves yet). */
    const uidsIn = async (f: string) => {
      const reader = imapSource(f);
      try {
        return (await reader.fetchBatch(null, 1000)).messages.map((m) => Number(m.key.uid));
      } finally {
        await reader.close();
      }
    };

    const mailbox = () => ({ name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder, usesCursor: true });
    const drain = (batch: number) => drainSource(inboundDeps(db, clock), source, mailbox(), undefined, { messages: batch, bytes: 64 << 20 });
    const cursor = async () => (await db.select().from(mailboxCursors))[0]?.lastUid;

    it("goes on past a failing message, keeps the cursor before it, and quarantines it on the third drain; its reply waits for it", async () => {
      const first = await dovecot.appendMessage(request(tag, 1), folder);
      const bad = await dovecot.appendMessage(malformedMail("huge-header-line", seq, { from: JANE }), folder);
      const reply = await dovecot.appendMessage(request(tag, 9, "Omar Haddad <omar.haddad@customer.example>", `In-Reply-To: <malformed-huge-header-line-${seq}@unknown.example>\r\n`), folder);
      for (const n of [2, 3, 4]) await dovecot.appendMessage(request(tag, n), folder);

      // Batches of two: the failing one's batch is not the last, and its sender's later requests go through.
      expect(await drain(2)).toMatchObject({ fetched: 6, processed: 4, failed: 1, quarantined: 0 });
      expect((await listCases(db)).map((c) => c.subject).sort()).toEqual([1, 2, 3, 4].map((n) => `[Sev3] request ${n}`));
      expect(await uidsIn(folder)).toEqual([bad, reply]);
      expect(await cursor()).toBe(first);

      expect(await drain(2)).toMatchObject({ fetched: 2, processed: 0, failed: 1 });
      expect(await drain(2)).toMatchObject({ fetched: 2, processed: 1, failed: 1, quarantined: 1 });
      expect(await uidsIn(folder)).toEqual([]);
      expect(await uidsIn(`Quarantine-${tag}`)).toHaveLength(1);
      expect(await cursor()).toBeGreaterThanOrEqual(reply);
      const [rejection] = await db.select().from(inboundRejections);
      expect(rejection).toMatchObject({ reasonCode: "processing-failed", attempts: 3, detail: expect.stringMatching(/header/) });
      expect(await listCases(db)).toHaveLength(5);
    }, 60_000);

    it("after a drain the worker waits for new mail instead of draining again at once, and wakes when it comes", async () => {
      await dovecot.appendMessage(request(tag, 1), folder);
      expect(await drain(10)).toMatchObject({ processed: 1 });
      const idle = Date.now();
      await source.waitForNew(AbortSignal.timeout(10_000), 1_500);
      expect(Date.now() - idle).toBeGreaterThanOrEqual(1_000);
      const waiting = source.waitForNew(AbortSignal.timeout(10_000), 8_000);
      const woken = Date.now();
      await new Promise((r) => setTimeout(r, 300));
      await dovecot.appendMessage(request(tag, 2), folder);
      await waiting;
      expect(Date.now() - woken).toBeLessThan(6_000);
      expect(await drain(10)).toMatchObject({ processed: 1 });
    }, 60_000);

    it("20 malformed mails among 10 requests: the requests in the first drain, the inbox empty after three", async () => {
      const mail = [...Array.from({ length: 10 }, (_, n) => request(tag, n)), ...malformedMix(20, { from: JANE, nestingDepth: 1000 }).map((m) => m.raw)];
      const order = mail.map((raw, i) => ({ raw, key: (i * 7) % mail.length })).sort((a, b) => a.key - b.key);
      let appended = 0;
      for (const { raw } of order) if (raw.length > 0 && (await dovecot.appendMessage(raw, folder)) > 0) appended++; // an IMAP server holds no 0-byte message
      const total: DrainSummary = { fetched: 0, processed: 0, failed: 0, quarantined: 0 };
      for (let d = 0; d < 3; d++) {
        const s = await drain(5);
        for (const k of ["fetched", "processed", "failed", "quarantined"] as const) total[k] += s[k];
        if (d === 0) expect((await listCases(db)).map((c) => c.subject)).toEqual(expect.arrayContaining(Array.from({ length: 10 }, (_, n) => `[Sev3] request ${n}`)));
      }
      expect(await uidsIn(folder)).toEqual([]);
      const quarantined = await uidsIn(`Quarantine-${tag}`);
      expect(total).toMatchObject({ processed: appended - quarantined.length, quarantined: quarantined.length });
      expect((await db.select().from(inboundRejections)).filter((r) => r.reasonCode === "processing-failed")).toHaveLength(quarantined.length);
    }, 90_000);
  });
});
