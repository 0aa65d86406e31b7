/**
 * A drained batch goes through the one inbound path in one transaction, round by round. How mail is cut
 * into batches must not show: a mixed batch leaves exactly what the same mail leaves in batches of one.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { asc } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import type { Db } from "../../src/store/database.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { createOrganization } from "../../src/store/repos/organizations.js";
import { attachments, caseEvents, cases, inboundRejections, messages, outbox } from "../../src/store/schema/index.js";
import { drainSource } from "../../src/inbound/drain.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const fixture = (name: string) => readFile(join(import.meta.dirname, "..", "fixtures", "mail", name));
const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const batchOf = (messages: number) => ({ messages, bytes: 64 * 1024 * 1024 });

const note = (from: string, id: string, subject: string, extra = "") =>
  Buffer.from(`From: ${from}\r\nTo: ${SUPPORT}\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Tue, 10 Nov 2026 09:20:00 -0800\r\n${extra}\r\nHello, please help.\r\n`);

/** Mail of every kind the inbound pipeline meets, several of them related to each other. */
async function mixedMail(): Promise<Buffer[]> {
  return [
    await fixture("template-full-vantiq.eml"), // a DTC's request: new case, acknowledged with a Cc to the other DTC
    await fixture("template-markdown-bold.eml"), // a non-DTC colleague: refused
    await fixture("auto-reply-rfc3834.eml"), // automatic: recorded, never answered
    await fixture("subject-tag-sev.eml"),
    await fixture("thunderbird-plain-with-attachment.eml"),
    await fixture("no-message-id.eml"),
    await fixture("template-full-vantiq.eml"), // a second copy in the same batch: a duplicate
    note("omar.haddad@customer.example", "omar-reply@customer.example", "Re: Event stream stops processing after namespace redeploy",
      "In-Reply-To: <CAF9x2k1-full-template-001@mail.customer.example>\r\nReferences: <CAF9x2k1-full-template-001@mail.customer.example>\r\n"),
    note("stranger@elsewhere.example", "stranger-1@elsewhere.example", "question"),
    note("alice@vendor.example", "alice-1@vendor.example", "staff mail naming no case"),
    note("jane.doe@customer.example", "jane-token@customer.example", "[Case #999999] a case that does not exist"),
  ];
}

interface Snapshot {
  cases: unknown[];
  outbox: unknown[];
  rejections: unknown[];
  messages: unknown[];
  events: unknown[];
}

/** What a user sees, with case numbers and row ids replaced by the case's subject (batches number cases in another order). */
async function snapshot(db: Db): Promise<Snapshot> {
  const caseRows = await db.select().from(cases).orderBy(asc(cases.subject));
  const byId = new Map(caseRows.map((c) => [c.id, c.subject]));
  const unnumber = (s: string) => caseRows.reduce((text, c) => text.replace(new RegExp(`(#|case )${c.number}(?!\\d)`, "g"), `$1<${c.subject}>`), s);
  const sort = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    cases: caseRows.map(({ id: _id, number: _n, ...c }) => c),
    outbox: sort((await db.select().from(outbox)).map((o) => ({ kind: o.kind, to: o.to, cc: o.cc, subject: unnumber(o.subject), text: unnumber(o.text), case: o.caseId === null ? null : byId.get(o.caseId), inReplyTo: o.inReplyTo }))),
    rejections: sort((await db.select().from(inboundRejections)).map((r) => ({ from: r.from, disposition: r.disposition, reasonCode: r.reasonCode, detail: r.detail }))),
    messages: sort((await db.select().from(messages)).map((m) => ({ messageId: m.messageId, from: m.from, case: m.caseId === null ? null : byId.get(m.caseId), text: m.text }))),
    // Row ids differ between the two runs, and so do our Message-IDs (made from case numbers); what the event says does not.
    events: sort((await db.select().from(caseEvents)).map((e) => ({ case: byId.get(e.caseId), kind: e.kind, actor: e.actor, data: { ...(e.data as object), messageRowId: undefined, messageId: undefined } }))),
  };
}

describe.each(testDatabases())("inbound batches on %s", (target) => {
  const desk = useMaildirDesk(target);

  it("a mixed batch leaves exactly what the same mail leaves in batches of one", async () => {
    const { db, dir, source, clock } = desk;
    const mail = await mixedMail();
    for (const raw of mail) await deliverToMaildir(dir, raw);
    expect(await drainSource(inboundDeps(db, clock), source, mailbox, undefined, batchOf(1))).toMatchObject({ fetched: mail.length, processed: mail.length, failed: 0 });
    const oneByOne = await snapshot(db);

    for (const t of [outbox, attachments, caseEvents, messages, cases, inboundRejections]) await db.delete(t);
    for (const raw of mail) await deliverToMaildir(dir, raw);
    const deps = inboundDeps(db, clock);
    const warnings: string[] = [];
    deps.logger = { ...deps.logger, warn: (_fields: object, message?: string) => void warnings.push(message ?? "") };
    const summary = await drainSource(deps, source, mailbox, undefined, batchOf(100));
    expect(summary).toMatchObject({ fetched: mail.length, processed: mail.length, failed: 0 });
    expect(warnings).toEqual([]); // the batch went through in one transaction, not one by one
    const batched = await snapshot(db);

    expect(batched).toEqual(oneByOne);
    // And it is the expected mail: cases for the DTC requests, the reply threaded, one acknowledgment per case.
    expect(batched.cases.length).toBeGreaterThanOrEqual(3);
    const kinds = batched.outbox.map((o) => (JSON.parse(o as string) as { kind: string }).kind).sort();
    expect(kinds.filter((k) => k === "acknowledgment")).toHaveLength(batched.cases.length);
    expect(kinds).toContain("refusal");
    expect(kinds).toContain("forward");
    // The second copy of the first request is stored once; the reply in the same batch joined its case.
    expect(batched.messages).toHaveLength(mail.length - 1);
    const stored = batched.messages.map((m) => JSON.parse(m as string) as { messageId: string; case: string | null });
    expect(stored.find((m) => m.messageId === "omar-reply@customer.example")?.case).toBe(stored.find((m) => m.messageId === "CAF9x2k1-full-template-001@mail.customer.example")?.case);
    expect(stored.find((m) => m.messageId === "omar-reply@customer.example")?.case).not.toBeNull();
    expect(await readdir(join(dir, "new"))).toEqual([]);
  });

  it("counts the automatic replies of a batch against the per-sender cap of the later messages", async () => {
    const { db, dir, source, clock } = desk;
    for (let i = 1; i <= 7; i++) await deliverToMaildir(dir, note("stranger@elsewhere.example", `q${i}@elsewhere.example`, `question ${i}`));
    expect(await drainSource(inboundDeps(db, clock), source, mailbox, undefined, batchOf(100))).toMatchObject({ processed: 7 });
    expect((await db.select().from(outbox)).filter((m) => m.kind === "refusal")).toHaveLength(5);
    expect(await db.select().from(inboundRejections)).toHaveLength(7);
  });

  it("keeps the sender cap across batches of one drain", async () => {
    const { db, dir, source, clock } = desk;
    for (let i = 1; i <= 7; i++) await deliverToMaildir(dir, note("stranger@elsewhere.example", `q${i}@elsewhere.example`, `question ${i}`));
    expect(await drainSource(inboundDeps(db, clock), source, mailbox, undefined, batchOf(3))).toMatchObject({ processed: 7 });
    expect((await db.select().from(outbox)).filter((m) => m.kind === "refusal")).toHaveLength(5);
  });

  it("when one message breaks the batch's transaction, the others still go through one by one", async () => {
    const { db, dir, source, clock } = desk;
    // An organization whose policy file was removed: deciding its DTC's request fails.
    const globex = await createOrganization(db, { name: "Globex", policyId: "retired-policy", entitlements: [], domains: ["globex.example"], timeZone: "UTC" });
    await createContact(db, { email: "dtc@globex.example", name: "Gina", organizationId: globex.id, dtc: true });
    await deliverToMaildir(dir, await fixture("template-full-vantiq.eml"));
    await deliverToMaildir(dir, note("dtc@globex.example", "globex-1@globex.example", "[Sev2] broken"));
    await deliverToMaildir(dir, note("stranger@elsewhere.example", "stranger-2@elsewhere.example", "question"));
    const deps = inboundDeps(db, clock);
    const first = await drainSource(deps, source, mailbox, undefined, batchOf(100));
    expect(first).toMatchObject({ fetched: 3, processed: 2, failed: 1 });
    expect(await db.select().from(cases)).toHaveLength(1);
    expect(await readdir(join(dir, "new"))).toHaveLength(1);
    // Its third failure quarantines it with the reason, and the mailbox is empty.
    await drainSource(deps, source, mailbox, undefined, batchOf(100));
    const third = await drainSource(deps, source, mailbox, undefined, batchOf(100));
    expect(third).toMatchObject({ failed: 1, quarantined: 1 });
    const [rejection] = (await db.select().from(inboundRejections)).filter((r) => r.reasonCode === "processing-failed");
    expect(rejection!.detail).toContain('policy "retired-policy"');
    expect(await readdir(join(dir, "new"))).toEqual([]);
  });

  it("holds back a reply whose request failed to parse, so it never opens a case of its own", async () => {
    const { db, dir, source, clock } = desk;
    const broken = Buffer.from(`X-Junk: ${"a".repeat(300 * 1024)}\r\nFrom: jane.doe@customer.example\r\nSubject: x\r\nMessage-ID: <broken-1@customer.example>\r\n\r\nbody\r\n`);
    await deliverToMaildir(dir, broken);
    clock.advance(1000);
    await deliverToMaildir(dir, note("omar.haddad@customer.example", "omar-2@customer.example", "Re: x", "In-Reply-To: <broken-1@customer.example>\r\n"));
    await deliverToMaildir(dir, note("stranger@elsewhere.example", "stranger-3@elsewhere.example", "unrelated"));
    const summary = await drainSource(inboundDeps(db, clock), source, mailbox, undefined, batchOf(100));
    expect(summary).toMatchObject({ fetched: 3, failed: 1, processed: 1 });
    expect(await db.select().from(cases)).toHaveLength(0);
    expect(await readdir(join(dir, "new"))).toHaveLength(2);
  });
});
