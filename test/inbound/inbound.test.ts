import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { deliverToMaildir, MaildirSource } from "../../src/sources/maildir.js";
import type { Db } from "../../src/store/database.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listRejections } from "../../src/store/repos/mailboxes.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { messages } from "../../src/store/schema/index.js";
import { drainSource } from "../../src/inbound/drain.js";
import { processRawMessage } from "../../src/inbound/process.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const fixture = (name: string) => readFile(join(import.meta.dirname, "..", "fixtures", "mail", name));
const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };

describe.each(testDatabases())("inbound pipeline on %s", (target) => {
  let db: Db;
  let dir: string;
  let source: MaildirSource;
  let clock: ManualClock;

  const desk = useMaildirDesk(target);
  beforeEach(() => {
    ({ db, dir, source, clock } = desk);
  });

  it("opens a case for a DTC's full template and acknowledges it with the first response due time", async () => {
    await deliverToMaildir(dir, await fixture("template-full-vantiq.eml"));
    const summary = await drainSource(inboundDeps(db, clock), source, mailbox);
    expect(summary).toMatchObject({ fetched: 1, processed: 1, failed: 0 });
    const [opened] = await listCases(db);
    expect(opened).toMatchObject({ severity: "1", severitySource: "field", environment: "production", status: "open" });
    const acks = (await listOutbox(db, { caseId: opened!.id })).filter((r) => r.kind === "acknowledgment");
    expect(acks).toHaveLength(1);
    const ack = acks[0]!;
    expect(ack.to).toEqual(["jane.doe@customer.example"]);
    expect(ack.cc).toEqual(["omar.haddad@customer.example"]);
    expect(ack.subject).toBe(`Re: [Case #${opened!.number}] Event stream stops processing after namespace redeploy`);
    expect(ack.inReplyTo).toBe("CAF9x2k1-full-template-001@mail.customer.example");
    expect(ack.headers["Auto-Submitted"]).toBe("auto-replied");
    // Severity 1, 4 business hours from Tue 09:14:30 Pacific.
    expect(ack.text).toContain("Our first response is due by Tue 10 Nov 2026, 13:14 PST (4 business hours, weekdays 08:00–18:00 Pacific time).");
    // The message left new/ only after the commit.
    expect(await readdir(join(dir, "new"))).toEqual([]);
    expect((await readdir(join(dir, "cur")))[0]).toMatch(/:2,S$/);
  });

  it("never opens a second case or sends a second acknowledgment for the same mail", async () => {
    const raw = await fixture("template-full-vantiq.eml");
    await deliverToMaildir(dir, raw);
    await drainSource(inboundDeps(db, clock), source, mailbox);
    // A re-delivery of the same message, and the same message arriving through ingest.
    await deliverToMaildir(dir, raw);
    const again = await drainSource(inboundDeps(db, clock), source, mailbox);
    expect(again).toMatchObject({ fetched: 1, processed: 1 });
    const direct = await processRawMessage(inboundDeps(db, clock), mailbox, raw, { receivedAt: null });
    expect(direct.applied.outcome).toBe("duplicate");
    expect(await listCases(db)).toHaveLength(1);
    expect((await listOutbox(db)).filter((r) => r.kind === "acknowledgment")).toHaveLength(1);
  });

  it("recognises two copies of a message without a Message-ID, whatever trace headers they carry", async () => {
    const body = [
      "From: Jane Doe <jane.doe@customer.example>",
      `To: ${SUPPORT}`,
      "Cc: support-eu@vendor.example",
      "Subject: Stream stalls",
      "Date: Tue, 10 Nov 2026 09:14:10 -0800",
      "",
      "Severity: 2",
      "The stream stalls every hour.",
      "",
    ].join("\r\n");
    const copyA = Buffer.from(`Received: from mx1.vendor.example by a\r\nDelivered-To: ${SUPPORT}\r\n${body}`);
    const copyB = Buffer.from("Received: from mx2.vendor.example by b\r\nDelivered-To: support-eu@vendor.example\r\n" + body);
    const deps = inboundDeps(db, clock);
    expect((await processRawMessage(deps, mailbox, copyA, { receivedAt: null })).applied.outcome).toBe("new-case");
    expect((await processRawMessage(deps, { ...mailbox, name: "support-eu" }, copyB, { receivedAt: null })).applied.outcome).toBe("duplicate");
    expect(await listCases(db)).toHaveLength(1);
    expect((await listOutbox(db)).filter((r) => r.kind === "acknowledgment")).toHaveLength(1);
  });

  it("survives a crash between the commit and marking the message processed", async () => {
    const raw = await fixture("template-full-vantiq.eml");
    await deliverToMaildir(dir, raw);
    // The worker committed the case, then died before telling the source.
    await processRawMessage(inboundDeps(db, clock), mailbox, raw, { receivedAt: null });
    expect(await readdir(join(dir, "new"))).toHaveLength(1);
    const restarted = await drainSource(inboundDeps(db, clock), new MaildirSource({ name: "support", path: dir, clock }), mailbox);
    expect(restarted).toMatchObject({ processed: 1 });
    expect(await readdir(join(dir, "new"))).toEqual([]);
    expect(await listCases(db)).toHaveLength(1);
    expect((await listOutbox(db)).filter((r) => r.kind === "acknowledgment")).toHaveLength(1);
  });

  it("threads a reply that arrives in the same batch as the request it answers", async () => {
    await deliverToMaildir(dir, await fixture("template-full-vantiq.eml"));
    clock.advance(1000);
    const reply = [
      "From: Omar Haddad <omar.haddad@customer.example>",
      `To: ${SUPPORT}`,
      "Subject: Re: Event stream stops processing after namespace redeploy",
      "Message-ID: <omar-reply-1@customer.example>",
      "In-Reply-To: <CAF9x2k1-full-template-001@mail.customer.example>",
      "References: <CAF9x2k1-full-template-001@mail.customer.example>",
      "Date: Tue, 10 Nov 2026 09:20:00 -0800",
      "",
      "Adding the export of the stream definition.",
      "",
    ].join("\r\n");
    await deliverToMaildir(dir, Buffer.from(reply));
    // Unrelated mail in the same batch is applied side by side with them.
    await deliverToMaildir(dir, await fixture("auto-reply-rfc3834.eml"));
    expect(await drainSource(inboundDeps(db, clock), source, mailbox)).toMatchObject({ fetched: 3, processed: 3 });
    const [opened] = await listCases(db);
    const thread = await db.select().from(messages);
    expect(thread.filter((m) => m.caseId === opened!.id).map((m) => m.from).sort()).toEqual(["jane.doe@customer.example", "omar.haddad@customer.example"]);
    expect((await listOutbox(db)).map((m) => m.kind).sort()).toEqual(["acknowledgment", "forward", "new-case"]);
  });

  it("answers a colleague who is not a DTC politely without opening a case or naming the DTCs", async () => {
    await deliverToMaildir(dir, await fixture("template-markdown-bold.eml"));
    await drainSource(inboundDeps(db, clock), source, mailbox);
    expect(await listCases(db)).toHaveLength(0);
    const [refusal] = await listOutbox(db);
    expect(refusal).toMatchObject({ kind: "refusal", to: ["li.wei@customer.example"] });
    expect(refusal!.text).toContain("Support requests for Acme must come from your organization's designated technical contacts");
    expect(refusal!.text).not.toContain("jane.doe@customer.example");
    expect(refusal!.headers["Auto-Submitted"]).toBe("auto-replied");
    const [rejection] = await listRejections(db);
    expect(rejection).toMatchObject({ disposition: "refused", reasonCode: "non-dtc" });
  });

  it("answers one sender at most five times an hour, whatever it sends", async () => {
    const deps = inboundDeps(db, clock);
    const note = (i: number) =>
      Buffer.from(`From: stranger@elsewhere.example\r\nTo: ${SUPPORT}\r\nSubject: question ${i}\r\nMessage-ID: <q${i}@elsewhere.example>\r\n\r\nHello?\r\n`);
    for (let i = 1; i <= 7; i++) {
      await processRawMessage(deps, mailbox, note(i), { receivedAt: null });
      clock.advance(60_000);
    }
    expect((await listOutbox(db)).filter((m) => m.kind === "refusal")).toHaveLength(5);
    expect(await listRejections(db)).toHaveLength(7);
    clock.advance(3_600_000); // an hour after the first replies, the sender is answered again
    await processRawMessage(deps, mailbox, note(8), { receivedAt: null });
    expect((await listOutbox(db)).filter((m) => m.kind === "refusal")).toHaveLength(6);
  });

  it("records an auto-reply and never answers it", async () => {
    await deliverToMaildir(dir, await fixture("auto-reply-rfc3834.eml"));
    await drainSource(inboundDeps(db, clock), source, mailbox);
    expect(await listOutbox(db)).toHaveLength(0);
    expect(await listCases(db)).toHaveLength(0);
  });

  it("quarantines a message that fails three times and moves on to the next", async () => {
    const huge = Buffer.from(`X-Junk: ${"a".repeat(300 * 1024)}\r\nFrom: someone@elsewhere.example\r\nSubject: x\r\n\r\nbody\r\n`);
    await deliverToMaildir(dir, huge);
    clock.advance(1000);
    const good = await fixture("template-full-vantiq.eml");
    const deps = inboundDeps(db, clock);
    const first = await drainSource(deps, source, mailbox);
    expect(first).toMatchObject({ failed: 1, processed: 0 });
    // A message that is not stuck behind it (another sender, not a reply to it) goes through meanwhile.
    await deliverToMaildir(dir, good);
    expect(await drainSource(deps, source, mailbox)).toMatchObject({ failed: 1, processed: 1 });
    const third = await drainSource(deps, source, mailbox);
    expect(third).toMatchObject({ failed: 1, quarantined: 1, processed: 0 });
    expect(await listCases(db)).toHaveLength(1);
    expect(await readdir(join(dir, ".Quarantine", "cur"))).toHaveLength(1);
    const [rejection] = await listRejections(db);
    expect(rejection).toMatchObject({ disposition: "quarantined", reasonCode: "processing-failed", attempts: 3 });
    expect(rejection!.detail).toMatch(/header/i);
  });
});
