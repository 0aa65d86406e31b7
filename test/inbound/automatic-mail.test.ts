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

  it("a null-sender bounce of the acknowledgment is recorded on the case as automatic mail and marks the row bounced", async () => {
    const { caseRow, ack } = await openedAndAcknowledged();
    const raw = await returning("bounce-dragonfly-null-from.eml", "720f05ab8bb4a70c5b66266796824d3a@support-inbox.local", ack.messageId);
    const result = await processRawMessage(inboundDeps(db, clock), mailbox, raw, { receivedAt: null });
    expect(result.decision?.classification.kind).toBe("bounce");
    expect(result.applied).toEqual({ outcome: "thread", caseNumber: caseRow.number });
    const [stored] = await db.select().from(messages).where(eq(messages.messageId, "3e.2a8f91c0@relay.customer.example"));
    expect(stored?.caseId).toBe(caseRow.id);
    const events = await listEvents(db, caseRow.id);
    expect(events.filter((e) => e.kind === "automatic-message")).toHaveLength(1);
    expect(events.map((e) => e.kind)).not.toContain("customer-replied");
    const [row] = await listOutbox(db, { caseId: caseRow.id });
    expect(row).toMatchObject({ id: ack.id, state: "bounced" });
    expect(await listOutbox(db)).toHaveLength(1);
    expect(await listCases(db)).toHaveLength(1);
  });

  it("a feedback report about the acknowledgment is recorded on the case and gets no refusal", async () => {
    const { caseRow, ack } = await openedAndAcknowledged();
    const raw = await returning("feedback-report-arf-amazon-ses.eml", "e2cee1e8a8de5ceead1bf40bd9e68634@support-inbox.local", ack.messageId);
    const result = await processRawMessage(inboundDeps(db, clock), mailbox, raw, { receivedAt: null });
    expect(result.decision?.classification.kind).toBe("report");
    expect(result.applied).toEqual({ outcome: "thread", caseNumber: caseRow.number });
    expect((await listEvents(db, caseRow.id)).filter((e) => e.kind === "automatic-message")).toHaveLength(1);
    // Nothing new goes out (no refusal to the feedback loop), and the acknowledgment is not called bounced.
    expect(await listOutbox(db)).toEqual([expect.objectContaining({ id: ack.id, state: "sent" })]);
    expect(await listRejections(db)).toEqual([]);
  });

  it("a feedback report about mail we no longer know is ignored, not refused", async () => {
    const result = await processRawMessage(inboundDeps(db, clock), mailbox, await fixture("feedback-report-without-report-type.eml"), { receivedAt: null });
    expect(result.applied.outcome).toBe("ignore");
    expect(await listOutbox(db)).toEqual([]);
    expect(await listRejections(db)).toEqual([expect.objectContaining({ disposition: "ignored", reasonCode: "report" })]);
  });
});
