/**
 * Automatic mail through the one inbound path (issue 14): a bounce with a null sender (DragonFly's
 * `From: MAILER-DAEMON <>`, no Return-Path) and a feedback report, each about the acknowledgment of a case
 * just opened. Real fixture bytes; only the returned Message-ID is set to the one the acknowledgment got.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/clock/clock.js";
import { processRawMessage } from "../../src/inbound/process.js";
import { deliverDue } from "../../src/outbox/deliver.js";
import type { MailSender } from "../../src/outbox/sender.js";
import type { Db } from "../../src/store/database.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listEvents } from "../../src/store/repos/events.js";
import { listRejections } from "../../src/store/repos/mailboxes.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { messages } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const fixture = (name: string) => readFile(join(import.meta.dirname, "..", "fixtures", "mail", name));
const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const quiet = { info() {}, warn() {}, error() {} };
const accepting: MailSender = { send: async () => ({ status: "sent" }), close: async () => {} };

/** The fixture's bytes with the acknowledgment Message-ID it returns replaced by `ackId`. */
async function returning(name: string, fixtureAckId: string, ackId: string): Promise<Buffer> {
  const raw = (await fixture(name)).toString("latin1");
  expect(raw).toContain(fixtureAckId);
  return Buffer.from(raw.replaceAll(fixtureAckId, ackId), "latin1");
}

describe.each(testDatabases())("automatic mail on the inbound path, %s", (target) => {
  let db: Db;
  let clock: ManualClock;
  const desk = useMaildirDesk(target);
  beforeEach(() => {
    ({ db, clock } = desk);
  });

  /** A DTC's request opens a case; its acknowledgment goes out. */
  async function openedAndAcknowledged() {
    const opened = await processRawMessage(inboundDeps(db, clock), mailbox, await fixture("template-full-vantiq.eml"), { receivedAt: null });
    expect(opened.applied.outcome).toBe("new-case");
    const [caseRow] = await listCases(db);
    await deliverDue({ db, sender: accepting, clock, logger: quiet });
    const [ack] = await listOutbox(db, { caseId: caseRow!.id });
    expect(ack).toMatchObject({ kind: "acknowledgment", state: "sent" });
    clock.advance(60_000);
    return { caseRow: caseRow!, ack: ack! };
  }

  /**
   * The fixture, returning the acknowledgment of a case just opened, goes through the inbound path: it is
   * classified `kind` and recorded on that case as automatic mail, once.
   */
  async function returnedToCase(name: string, fixtureAckId: string, kind: string) {
    const { caseRow, ack } = await openedAndAcknowledged();
    const raw = await returning(name, fixtureAckId, ack.messageId);
    const result = await processRawMessage(inboundDeps(db, clock), mailbox, raw, { receivedAt: null });
    expect(result.decision?.classification.kind).toBe(kind);
    expect(result.applied).toEqual({ outcome: "thread", caseNumber: caseRow.number });
    const events = (await listEvents(db, caseRow.id)).map((e) => e.kind);
    expect(events.filter((k) => k === "automatic-message")).toHaveLength(1);
    expect(events).not.toContain("customer-replied");
    return { caseRow, ack };
  }

  it("a null-sender bounce of the acknowledgment is recorded on the case as automatic mail and marks the row bounced", async () => {
    const { caseRow, ack } = await returnedToCase("bounce-dragonfly-null-from.eml", "720f05ab8bb4a70c5b66266796824d3a@support-inbox.local", "bounce");
    const [stored] = await db.select().from(messages).where(eq(messages.messageId, "3e.2a8f91c0@relay.customer.example"));
    expect(stored?.caseId).toBe(caseRow.id);
    expect((await listOutbox(db)).filter((o) => o.kind !== "new-case")).toEqual([expect.objectContaining({ id: ack.id, state: "bounced" })]);
    expect(await listCases(db)).toHaveLength(1);
  });

  it("a feedback report about the acknowledgment is recorded on the case and gets no refusal", async () => {
    const { ack } = await returnedToCase("feedback-report-arf-amazon-ses.eml", "e2cee1e8a8de5ceead1bf40bd9e68634@support-inbox.local", "report");
    // Nothing new goes out (no refusal to the feedback loop), and the acknowledgment is not called bounced.
    expect((await listOutbox(db)).filter((o) => o.kind !== "new-case")).toEqual([expect.objectContaining({ id: ack.id, state: "sent" })]);
    expect(await listRejections(db)).toEqual([]);
  });

  it("after a complaint about the acknowledgment, its recipient gets no more automatic mail, and others still do", async () => {
    const { ack } = await returnedToCase("feedback-report-arf-amazon-ses.eml", "e2cee1e8a8de5ceead1bf40bd9e68634@support-inbox.local", "report");
    const complainant = ack.to[0]!;
    const request = (from: string, id: string) =>
      Buffer.from(`From: ${from}\r\nTo: ${SUPPORT}\r\nSubject: [Sev3] another question\r\nMessage-ID: <${id}>\r\n\r\nHello, please help.\r\n`);
    const again = await processRawMessage(inboundDeps(db, clock), mailbox, request(complainant, "after-complaint@customer.example"), { receivedAt: null });
    // The case opens (the customer is still served) but nothing is mailed to the address that complained.
    expect(again.applied.outcome).toBe("new-case");
    expect(again.decision).toMatchObject({ outcome: "new-case", acknowledge: false });
    const other = await processRawMessage(inboundDeps(db, clock), mailbox, request("omar.haddad@customer.example", "omar-after@customer.example"), { receivedAt: null });
    expect(other.decision).toMatchObject({ outcome: "new-case", acknowledge: true });
    const acks = (await listOutbox(db)).filter((o) => o.kind === "acknowledgment");
    expect(acks.map((o) => o.to)).toEqual([[complainant], ["omar.haddad@customer.example"]]);
  });

  it("a feedback report about mail we no longer know is ignored, not refused", async () => {
    const result = await processRawMessage(inboundDeps(db, clock), mailbox, await fixture("feedback-report-without-report-type.eml"), { receivedAt: null });
    expect(result.applied.outcome).toBe("ignore");
    expect(await listOutbox(db)).toEqual([]);
    expect(await listRejections(db)).toEqual([expect.objectContaining({ disposition: "ignored", reasonCode: "report" })]);
  });
});
