/**
 * New case → engineers, through the real pipeline: a DTC's request drained from the Maildir opens a case
 * and, in the same transaction, queues the new-case mail; the outbox delivers it over SMTP to a real
 * server; an engineer answers the delivered mail with "#assign me" from their own mailbox, and the
 * answer, drained like any mail, assigns the case to them.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverDue } from "../../src/outbox/deliver.js";
import { createSmtpSender, type MailSender } from "../../src/outbox/sender.js";
import { drainSource } from "../../src/inbound/drain.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { listCases, getCase } from "../../src/store/repos/cases.js";
import { listEvents } from "../../src/store/repos/events.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { requireOrganizationByName, setOrganizationEngineer } from "../../src/store/repos/organizations.js";
import { createStaff, type Staff } from "../../src/store/repos/staff.js";
import { staff as staffTable } from "../../src/store/schema/index.js";
import { eq } from "drizzle-orm";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, testDesk, useMaildirDesk } from "../support/desk.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";

const fixture = (name: string) => readFile(join(import.meta.dirname, "..", "fixtures", "mail", name));
const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const quiet = { info() {}, warn() {}, error() {} };

describe.each(testDatabases())("the new-case mail to the engineers on %s", (target) => {
  const desk = useMaildirDesk(target);
  let smtp: TestSmtpServer;
  let sender: MailSender;
  let bob: Staff;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    sender = createSmtpSender({ host: smtp.host, port: smtp.port, secure: false, pool: false, timeoutSeconds: 5 });
  });
  afterAll(async () => {
    await sender.close();
    await smtp.stop();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    bob = await createStaff(desk.db, { email: "bob@vendor.example", name: "Bob Engineer", role: "engineer", timeZone: "America/New_York" });
  });

  /** Jane's full VANTIQ template (Severity 1, production, one attachment), drained; the new case and its new-case outbox row. */
  async function openJanesCase(deps = inboundDeps(desk.db, desk.clock)) {
    await deliverToMaildir(desk.dir, await fixture("template-full-vantiq.eml"));
    expect(await drainSource(deps, desk.source, mailbox)).toMatchObject({ processed: 1, failed: 0 });
    const [opened] = await listCases(desk.db);
    const notices = (await listOutbox(desk.db, { caseId: opened!.id })).filter((r) => r.kind === "new-case");
    expect(notices).toHaveLength(1);
    const events = await listEvents(desk.db, opened!.id);
    return { opened: opened!, notice: notices[0]!, notified: events.find((e) => e.kind === "engineers-notified") };
  }

  it("tells every active engineer when the organization has no engineer and no address is configured: case, organization, policy, severity and why, due time, request, attachments", async () => {
    const { opened, notice, notified } = await openJanesCase();
    expect(notice.to).toEqual(["alice@vendor.example", "bob@vendor.example"]);
    // The case history records what was queued: to whom, by which rule, under which Message-ID.
    expect(notified?.data).toEqual({ to: ["alice@vendor.example", "bob@vendor.example"], rule: "all-engineers", messageId: notice.messageId });

    expect(await deliverDue({ db: desk.db, sender, clock: desk.clock, logger: quiet })).toMatchObject({ sent: 2 });
    const mail = smtp.received.find((m) => m.envelopeTo.includes("bob@vendor.example"))!;
    expect(mail.envelopeTo.sort()).toEqual(["alice@vendor.example", "bob@vendor.example"]);
    const m = mail.parsed;
    expect(m.subject).toBe(`[Case #${opened.number}] New case from Acme, vantiq severity 1: Event stream stops processing after namespace redeploy`);
    expect(m.inReplyTo).toBe("<CAF9x2k1-full-template-001@mail.customer.example>");
    expect(m.replyTo?.value[0]?.address).toBe(SUPPORT);
    expect(m.headers.get("auto-submitted")).toBe("auto-generated");
    const text = m.text ?? "";
    expect(text).toContain(`New case ${opened.number} from Acme: "Event stream stops processing after namespace redeploy"`);
    expect(text).toContain("Policy:       VANTIQ Technical Support (vantiq)");
    expect(text).toContain("Requester:    Jane Doe <jane.doe@customer.example>");
    expect(text).toContain("Severity:     Severity 1 (Business-critical)\nWhy:          Severity 1 (Business-critical), from the severity field");
    // Opened Tue 09:14:30 Pacific, 4 business hours, shown in the desk's zone (testDesk: Pacific).
    expect(text).toContain("First response due: Tue 10 Nov 2026, 13:14 PST (4 business hours)");
    expect(text).toMatch(/Attachments:\n {2}- ProcessSensorReading\.json \(\d+ bytes, application\/json\)/);
    expect(text).toContain("----- Request -----\nHello VANTIQ support,");
    expect(text).toContain("Steps to reproduce:");
    expect(m.html).toContain("<strong>Severity 1 (Business-critical)</strong>");
  });

  it("goes only to the organization's engineer when it has one, and to notifications.newCase when its engineer is inactive", async () => {
    await setOrganizationEngineer(desk.db, (await requireOrganizationByName(desk.db, "Acme")).id, bob.id);
    const first = await openJanesCase();
    expect(first.notice.to).toEqual(["bob@vendor.example"]);
    expect(first.notified?.data).toMatchObject({ to: ["bob@vendor.example"], rule: "organization-engineer" });

    // Bob leaves: the configured addresses take over, not the whole team.
    await desk.db.update(staffTable).set({ active: false }).where(eq(staffTable.id, bob.id));
    const configured = { ...testDesk(), newCaseRecipients: ["triage@vendor.example"] };
    const raw = (await fixture("template-full-vantiq.eml")).toString("utf8").replace("CAF9x2k1-full-template-001", "second-request-002");
    await deliverToMaildir(desk.dir, Buffer.from(raw));
    await drainSource(inboundDeps(desk.db, desk.clock, configured), desk.source, mailbox);
    const second = (await listCases(desk.db)).find((c) => c.id !== first.opened.id)!;
    const [notice] = (await listOutbox(desk.db, { caseId: second.id })).filter((r) => r.kind === "new-case");
    expect(notice!.to).toEqual(["triage@vendor.example"]);
    const events = await listEvents(desk.db, second.id);
    expect(events.find((e) => e.kind === "engineers-notified")?.data).toMatchObject({ to: ["triage@vendor.example"], rule: "notifications.newCase" });
  });

  it("goes to notifications.newCase ahead of the team when the organization has no engineer", async () => {
    const { notice, notified } = await openJanesCase(inboundDeps(desk.db, desk.clock, { ...testDesk(), newCaseRecipients: ["triage@vendor.example", "oncall@vendor.example"] }));
    expect(notice.to).toEqual(["triage@vendor.example", "oncall@vendor.example"]);
    expect(notified?.data).toMatchObject({ rule: "notifications.newCase" });
  });

  it("is queued once: the same request delivered again queues no second new-case mail", async () => {
    const { opened } = await openJanesCase();
    await deliverToMaildir(desk.dir, await fixture("template-full-vantiq.eml"));
    await drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox);
    expect((await listOutbox(desk.db)).filter((r) => r.kind === "new-case" && r.caseId === opened.id)).toHaveLength(1);
  });

  it("takes a reply with #assign me from the engineer's mailbox: the case is theirs, and the quoted notice is not relayed to the customer", async () => {
    const { opened } = await openJanesCase();
    await deliverDue({ db: desk.db, sender, clock: desk.clock, logger: quiet });
    const received = smtp.received.find((m) => m.envelopeTo.includes("bob@vendor.example"))!.parsed;
    desk.clock.advance(20 * 60_000);
    // What Bob's mail client writes when he presses Reply: the desk (Reply-To), "Re:", the thread headers, his text over the quote.
    const reply = [
      "From: Bob Engineer <Bob@Vendor.Example>",
      `To: ${received.replyTo!.value[0]!.address}`,
      `Subject: Re: ${received.subject}`,
      "Message-ID: <bob-assign-me-1@vendor.example>",
      `In-Reply-To: ${received.messageId}`,
      `References: ${[received.references ?? []].flat().join(" ")} ${received.messageId}`.trim(),
      "Date: Tue, 10 Nov 2026 09:35:00 -0800",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "",
      "#assign me",
      "",
      `On Tue, 10 Nov 2026 at 09:14, ${SUPPORT} wrote:`,
      ...(received.text ?? "").split("\n").map((l) => `> ${l}`),
      "",
    ].join("\r\n");
    await deliverToMaildir(desk.dir, Buffer.from(reply));
    expect(await drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox)).toMatchObject({ processed: 1, failed: 0 });
    expect((await getCase(desk.db, opened.id))?.assigneeId).toBe(bob.id);
    const events = await listEvents(desk.db, opened.id);
    expect(events.find((e) => e.kind === "assigned")).toMatchObject({ actor: "bob@vendor.example" });
    const kinds = (await listOutbox(desk.db, { caseId: opened.id })).map((r) => r.kind).sort();
    expect(kinds).toEqual(["acknowledgment", "new-case"]);
  });
});
