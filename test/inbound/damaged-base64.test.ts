/**
 * Broken base64 (issue 12): a body part that declares base64 but is not base64 is kept as an attachment of
 * its encoded bytes, named `<name|part-N>.damaged-base64.txt`, named on the case (what `case show` prints),
 * and the acknowledgment asks the customer to send it again (a reply on a case: its customer-replied event
 * names it); the good parts are stored as usual. Real mail bytes through the real pipeline: a Maildir drained
 * by drainSource into each test database.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { presentCase } from "../../src/cases/case-view.js";
import { formatCaseView } from "../../src/cli/case-show-text.js";
import { drainSource } from "../../src/inbound/drain.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import * as store from "../../src/store/index.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { attachments, cases, messages, organizations, outbox } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, testDesk, useMaildirDesk } from "../support/desk.js";

const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/mail/${name}`, import.meta.url)));

describe.each(testDatabases())("damaged base64 on %s", (target) => {
  const desk = useMaildirDesk(target);

  /** Delivers the fixture (its sender made a DTC of Acme first, when `newContact` names one) and drains it. */
  async function deliver(file: string, newContact?: string) {
    const [acme] = await desk.db.select().from(organizations).where(eq(organizations.name, "Acme"));
    if (newContact) await createContact(desk.db, { email: newContact, name: "", organizationId: acme!.id, dtc: true });
    await deliverToMaildir(desk.dir, fixture(file));
    expect(await drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox)).toMatchObject({ processed: 1, failed: 0 });
    const [kase] = await desk.db.select().from(cases);
    const [stored] = await desk.db.select().from(messages);
    const files = await desk.db.select().from(attachments).where(eq(attachments.messageId, stored!.id)).orderBy(attachments.id);
    const view = presentCase(await store.requireCaseView(desk.db, kase!.number), { policies: testDesk().policies, deskZone: "UTC", ownAddresses: [SUPPORT], now: desk.clock.now() });
    const shown = formatCaseView(view);
    const [ack] = (await desk.db.select().from(outbox)).filter((o) => o.kind === "acknowledgment");
    return { kase: kase!, stored: stored!, files, shown, ack: ack! };
  }

  it("base64-attachment-bad-characters.eml: the log kept as it came and named; the text and the PDF stored as usual", async () => {
    const { kase, stored, files, shown, ack } = await deliver("base64-attachment-bad-characters.eml"); // Omar is one of Acme's DTCs
    expect(kase.subject).toBe("[Sev3] Gateway times out talking to node-3");
    expect(stored.text).toContain("the gateway times out talking to node-3");
    expect(files.map((f) => [f.filename, f.contentType])).toEqual([
      ["gateway.log.damaged-base64.txt", "text/plain"],
      ["report-2026-11.pdf", "application/pdf"],
    ]);
    const log = Buffer.from(files[0]!.content!).toString("latin1");
    expect(log).toContain("IGFmdGVyIDMwMDAw!#%*IChub2RlLTMp"); // the encoded bytes, not a decoding of them
    expect(Buffer.from(files[1]!.content!).toString("latin1")).toMatch(/^%PDF-1\.4/);
    expect(shown).toContain("gateway.log.damaged-base64.txt");
    expect(shown).toMatch(/is not base64/);
    expect(ack.text).toContain("arrived damaged and could not be decoded");
    expect(ack.text).toContain("  - gateway.log\n");
    expect(ack.text).not.toContain("report-2026-11.pdf");
    expect(ack.html).toContain("<li>gateway.log</li>");
  });

  it("base64-text-part-truncated.eml: the cut-off text is no garbage body; the CSV stored; the customer asked to resend", async () => {
    const { stored, files, shown, ack } = await deliver("base64-text-part-truncated.eml", "lin.wei@customer.example");
    expect(stored.text ?? "").not.toMatch(/[\ufffd\u0000]/);
    expect(stored.text ?? "").not.toContain("Regards");
    expect(files.map((f) => f.filename)).toEqual(["part-1.damaged-base64.txt", "export-status.csv"]);
    expect(Buffer.from(files[0]!.content!).toString("latin1")).toMatch(/^SGVsbG8sCgp0aGUgbmlnaHRseSBleHBvcnQg/);
    expect(Buffer.from(files[1]!.content!).toString("utf8")).toContain("nightly-export,2026-12-02T02:00:00Z,stopped");
    expect(shown).toContain("part-1.damaged-base64.txt");
    expect(shown).toMatch(/not a multiple of 4 \(truncated\?\)/);
    expect(ack.text).toContain("  - part 1 of your message (text/plain)\n");
  });

  it("a reply on the case with a damaged part: stored, and the trail's customer-replied names it", async () => {
    const { kase: opened } = await deliver("base64-attachment-bad-characters.eml");
    const reply = [
      "From: Omar Haddad <omar.haddad@customer.example>", `To: ${SUPPORT}`, `Subject: Re: [Case #${opened.number}] [Sev3] Gateway times out talking to node-3`,
      "Message-ID: <reply-damaged-1@customer.example>", "Date: Thu, 03 Dec 2026 11:02:00 +0200", "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="r1"', "", "--r1", "Content-Type: text/plain; charset=utf-8", "", "The trace from node-3.", "--r1",
      'Content-Type: application/octet-stream; name="node-3.trace"', 'Content-Disposition: attachment; filename="node-3.trace"',
      "Content-Transfer-Encoding: base64", "", "dHJhY2UgbGluZSAx\u00a7dHJhY2U=", "--r1--", "",
    ].join("\r\n");
    await deliverToMaildir(desk.dir, Buffer.from(reply, "latin1"));
    expect(await drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox)).toMatchObject({ processed: 1, failed: 0 });
    const [kase] = await desk.db.select().from(cases);
    const replied = (await store.listEvents(desk.db, kase!.id)).find((e) => e.kind === "customer-replied");
    expect(replied?.data).toMatchObject({ damagedAttachments: [{ filename: "node-3.trace.damaged-base64.txt", reason: "byte 0xa7 at line 1, column 17 is not base64" }] });
    const [, stored] = await desk.db.select().from(messages).orderBy(messages.id);
    const files = await desk.db.select().from(attachments).where(eq(attachments.messageId, stored!.id));
    expect(files.map((f) => f.filename)).toEqual(["node-3.trace.damaged-base64.txt"]);
    expect(stored!.text).toContain("The trace from node-3.");
    // Omar is asked, in the case's thread, to send the file again: the engineers cannot open it either.
    const asked = (await store.listOutbox(desk.db)).filter((m) => m.kind === "damaged-parts");
    expect(asked).toHaveLength(1);
    expect(asked[0]!.to).toEqual(["omar.haddad@customer.example"]);
    expect(asked[0]!.inReplyTo).toBe("reply-damaged-1@customer.example");
    expect(asked[0]!.text).toContain("please send them again:\n  - node-3.trace\n");
  });
});
