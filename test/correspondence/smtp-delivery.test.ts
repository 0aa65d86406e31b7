/**
 * What the customer and the engineer actually receive: the queued relay and forward delivered through a
 * real SMTP server, their headers read back from the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { deliverDue } from "../../src/outbox/deliver.js";
import { createSmtpSender, type MailSender } from "../../src/outbox/sender.js";
import type { Db } from "../../src/store/database.js";
import { getCase } from "../../src/store/repos/cases.js";
import { applyCustomerMessage } from "../../src/correspondence/customer.js";
import { applyStaffMessage } from "../../src/correspondence/staff.js";
import { testDatabases } from "../support/db.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { desk, openCase, OPENED_AT, seedDirectory, storeInbound, type Directory } from "./seed.js";

const quiet = { info() {}, warn() {}, error() {} };
const HOUR = 3_600_000;

describe.each(testDatabases())("correspondence delivered over SMTP on %s", (target) => {
  let db: Db;
  let dir: Directory;
  let smtp: TestSmtpServer;
  let sender: MailSender;

  beforeAll(async () => {
    db = await target.open();
    dir = await seedDirectory(db);
    smtp = await startSmtpServer();
    sender = createSmtpSender({ host: smtp.host, port: smtp.port, secure: false, pool: false, timeoutSeconds: 5 });
  });
  afterAll(async () => {
    await sender.close();
    await smtp.stop();
    await target.close();
  });

  it("delivers the relay threaded to the customer's message and the forward threaded to the engineer", async () => {
    const { caseRow, customerMessageId } = await openCase(db, dir, { assigneeId: dir.alice.id });
    const token = `[Case #${caseRow.number}]`;
    const staffMessage = await storeInbound(db, caseRow, {
      from: dir.alice.email,
      subject: `Re: ${token} Build fails after upgrade`,
      text: "#status waiting\nPlease run the attached script.\n\n> Our build fails since 1.40.\n",
      at: OPENED_AT + HOUR,
      attachment: { filename: "collect.sh", content: "tar czf logs.tgz /var/log\n" },
    });
    await db.transaction((tx) => applyStaffMessage(tx, { desk, caseRow, message: staffMessage, staffMember: dir.alice, now: OPENED_AT + HOUR }));
    const reply = await storeInbound(db, caseRow, { from: dir.jane.email, subject: `Re: ${token} Build fails after upgrade`, text: "Done.", at: OPENED_AT + 2 * HOUR });
    const waiting = (await getCase(db, caseRow.id))!;
    expect(waiting.status).toBe("waiting");
    await db.transaction((tx) => applyCustomerMessage(tx, { desk, caseRow: waiting, message: reply, contact: dir.jane, now: OPENED_AT + 2 * HOUR }));

    const clock = new ManualClock(OPENED_AT + 2 * HOUR);
    expect(await deliverDue({ db, sender, clock, logger: quiet })).toMatchObject({ claimed: 2, sent: 2 });

    const relay = smtp.received.find((m) => m.envelopeTo.includes("jane@customer.example"))!;
    expect(relay.envelopeTo.sort()).toEqual(["jane@customer.example", "raj@customer.example"]);
    const r = relay.parsed;
    expect(r.subject).toBe(`Re: ${token} Build fails after upgrade`);
    expect(r.inReplyTo).toBe(`<${customerMessageId}>`);
    expect(r.references).toBe(`<${customerMessageId}>`);
    expect(r.headers.get("auto-submitted")).toBeUndefined();
    expect(r.headers.get("x-loop")).toBe(desk.fromAddress);
    expect(r.from?.value[0]?.address).toBe(desk.fromAddress);
    expect(r.text).toContain("Please run the attached script.\n\n> Our build fails since 1.40.");
    expect(r.text).not.toContain("#status");
    expect(r.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([["collect.sh", "tar czf logs.tgz /var/log\n"]]);

    const forward = smtp.received.find((m) => m.envelopeTo.includes("alice@vendor.example"))!.parsed;
    expect(forward.subject).toBe(`Re: ${token} Build fails after upgrade`);
    expect(forward.inReplyTo).toBe(`<${reply.normalized.messageId}>`);
    expect(forward.replyTo?.value[0]?.address).toBe(desk.fromAddress);
    expect(forward.headers.get("auto-submitted")).toBeUndefined();
    expect(forward.headers.get("x-loop")).toBe(desk.fromAddress);
  });
});
