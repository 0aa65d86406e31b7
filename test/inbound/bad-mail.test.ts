/**
 * Bad mail costs its own attempts and nothing else (issue 14): text a mail decodes to is stored without
 * what Postgres refuses (NUL), a failure is recorded whatever its error text says, a failing message holds
 * back only the mail that answers it, and a drain goes on past it while there is mail. Through the real
 * pipeline: a Maildir drained by drainSource into each test database.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drainSource, type DrainSummary } from "../../src/inbound/drain.js";
import { inlineParser } from "../../src/mail/parse-pool.js";
import type { MessageParser } from "../../src/mail/message.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { attachments, cases, inboundRejections, messages, outbox, processingAttempts } from "../../src/store/schema/index.js";
import { malformedMail, malformedMix } from "../../harness/malformed-mail.js";
import { prng } from "../../harness/prng.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const JANE = "Jane Doe <jane.doe@customer.example>";

const request = (n: number, from = JANE, extra = "") =>
  Buffer.from(
    `From: ${from}\r\nTo: ${SUPPORT}\r\nSubject: [Sev3] request ${n}\r\nMessage-ID: <req-${n}@customer.example>\r\nDate: Tue, 10 Nov 2026 09:20:00 -0800\r\n${extra}\r\n` +
      `Name: Jane Doe\r\nEnvironment: production\r\nThe stream stalls, case ${n}.\r\n`,
  );

/** inlineParser, except that messages containing `marker` fail with `error`. */
const failingParser = (marker: string, error: Error): MessageParser => ({
  ...inlineParser,
  inFlight: 1,
  parse: (raw, limits) => (raw.includes(marker) ? Promise.reject(error) : inlineParser.parse(raw, limits)),
});

const add = (a: DrainSummary, b: DrainSummary): DrainSummary => ({
  fetched: a.fetched + b.fetched, processed: a.processed + b.processed, failed: a.failed + b.failed, quarantined: a.quarantined + b.quarantined,
});

describe.each(testDatabases())("bad mail on %s", (target) => {
  const desk = useMaildirDesk(target);
  const files = (sub: string) => readdir(join(desk.dir, sub)).catch(() => [] as string[]);
  const drain = (deps = inboundDeps(desk.db, desk.clock), batch = 100) => drainSource(deps, desk.source, mailbox, undefined, { messages: batch, bytes: 64 << 20 });

  it("a DTC's mail whose text decodes to a NUL opens a case, its text stored without the NUL", async () => {
    await deliverToMaildir(desk.dir, malformedMail("nul-body", 1, { from: JANE }));
    expect(await drain()).toMatchObject({ fetched: 1, processed: 1, failed: 0 });
    expect(await desk.db.select().from(cases)).toHaveLength(1);
    const [stored] = await desk.db.select().from(messages);
    expect(stored!.text).toBe("helloworld\n");
    expect((await desk.db.select().from(outbox)).map((o) => o.kind).sort()).toEqual(["acknowledgment", "new-case"]);
    expect(await files("new")).toEqual([]);
  });

  it("stores an attachment whose file name has a NUL under the name without it, its bytes exactly as sent", async () => {
    const content = Buffer.from([0x00, 0x01, 0xff, 0x00, 0x41]);
    const raw = Buffer.from(
      `From: ${JANE}\r\nTo: ${SUPPORT}\r\nSubject: [Sev3] log attached\r\nMessage-ID: <att-nul@customer.example>\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n` +
        `--b\r\nContent-Type: text/plain\r\n\r\nsee the log\r\n--b\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Disposition: attachment; filename*=utf-8''run%00.log\r\nContent-Transfer-Encoding: base64\r\n\r\n${content.toString("base64")}\r\n--b--\r\n`,
    );
    await deliverToMaildir(desk.dir, raw);
    expect(await drain()).toMatchObject({ processed: 1, failed: 0 });
    const [file] = await desk.db.select().from(attachments);
    expect(file!.filename).toBe("run.log");
    expect(Buffer.from(file!.content!)).toEqual(content);
    expect(await desk.db.select().from(cases)).toHaveLength(1);
  });

  it("records a failure whose error text carries a NUL, and quarantines the message on its third drain", async () => {
    await deliverToMaildir(desk.dir, request(1, JANE, "X-Poison: yes\r\n"));
    const deps = { ...inboundDeps(desk.db, desk.clock), parser: failingParser("X-Poison", new Error("cannot read \u0000 in this message")) };
    expect(await drain(deps)).toMatchObject({ failed: 1, processed: 0, quarantined: 0 });
    const [attempt] = await desk.db.select().from(processingAttempts);
    expect(attempt).toMatchObject({ attempts: 1, lastError: "cannot read  in this message" });
    await drain(deps);
    expect(await drain(deps)).toMatchObject({ failed: 1, quarantined: 1 });
    const [rejection] = await desk.db.select().from(inboundRejections);
    expect(rejection).toMatchObject({ reasonCode: "processing-failed", disposition: "quarantined", attempts: 3, detail: "cannot read  in this message" });
    expect(await files("new")).toEqual([]);
    expect(await files(".Quarantine/cur")).toHaveLength(1);
  });

  it("never holds back the later mail of a sender whose earlier message fails; only a reply to it waits for its attempts", async () => {
    const bad = malformedMail("huge-header-line", 1, { from: JANE });
    await deliverToMaildir(desk.dir, bad);
    desk.clock.advance(1000);
    await deliverToMaildir(desk.dir, request(2));
    desk.clock.advance(1000);
    const reply = request(3, "Omar Haddad <omar.haddad@customer.example>", "In-Reply-To: <malformed-huge-header-line-1@unknown.example>\r\n");
    await deliverToMaildir(desk.dir, reply);
    expect(await drain()).toMatchObject({ fetched: 3, processed: 1, failed: 1 });
    expect((await desk.db.select().from(cases)).map((c) => c.subject)).toEqual(["[Sev3] request 2"]);
    expect(await files("new")).toHaveLength(2);
    expect(await drain()).toMatchObject({ processed: 0, failed: 1 });
    // The third attempt quarantines it, and the reply held behind it goes through in the same drain.
    expect(await drain()).toMatchObject({ processed: 1, failed: 1, quarantined: 1 });
    expect(await files("new")).toEqual([]);
    expect((await desk.db.select().from(messages)).map((m) => m.messageId).sort()).toEqual(["req-2@customer.example", "req-3@customer.example"]);
  });

  it("50 malformed mails among 20 valid requests: every request in the first drain, every malformed mail handled or quarantined with a reason", { timeout: 120_000 }, async () => {
    const valid = Array.from({ length: 20 }, (_, n) => ({ kind: "valid", raw: request(n, n % 2 ? JANE : "Omar Haddad <omar.haddad@customer.example>") }));
    const malformed = malformedMix(50, { from: JANE, nestingDepth: 1000 });
    const random = prng(14);
    const mail = [...valid, ...malformed].map((m) => ({ m, order: random() })).sort((a, b) => a.order - b.order).map((x) => x.m);
    for (const m of mail) {
      await deliverToMaildir(desk.dir, m.raw);
      desk.clock.advance(10);
    }
    // Batches of 10: most of them hold a message that fails, and the drain goes on past each.
    let total = await drain(inboundDeps(desk.db, desk.clock), 10);
    const opened = (await desk.db.select().from(cases)).map((c) => c.subject);
    for (let n = 0; n < 20; n++) expect(opened).toContain(`[Sev3] request ${n}`);
    total = add(total, await drain(inboundDeps(desk.db, desk.clock), 10));
    total = add(total, await drain(inboundDeps(desk.db, desk.clock), 10));
    expect(await files("new")).toEqual([]);
    const failed = (await desk.db.select().from(inboundRejections)).filter((r) => r.reasonCode === "processing-failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r).toMatchObject({ disposition: "quarantined", attempts: 3, detail: expect.stringMatching(/\S/) });
    // Empty files are quarantined at once with their reason (issue 12), not tried three times.
    const empty = (await desk.db.select().from(inboundRejections)).filter((r) => r.reasonCode === "empty");
    expect(empty.length).toBe(malformed.filter((m) => m.raw.length === 0).length);
    for (const r of empty) expect(r).toMatchObject({ disposition: "quarantined", attempts: 0, detail: "empty message: 0 bytes" });
    expect(await files(".Quarantine/cur")).toHaveLength(failed.length + empty.length);
    expect((await files("cur")).length + failed.length + empty.length).toBe(mail.length);
    expect(total).toMatchObject({ fetched: mail.length + 2 * failed.length, processed: mail.length - failed.length, quarantined: failed.length + empty.length });
    expect(await desk.db.select().from(processingAttempts)).toEqual([]);
  });
});
