/**
 * The per-sender cap (autoReplyCapPerHour: 5 in the test desk) never drops a verified DTC's acknowledgment
 * silently: beyond it the acknowledgments are held and sent combined when the hour's window allows; the
 * case trail says only what was queued. A refusal beyond the cap is dropped, with a warn log and a record
 * that says no reply went. Real pipeline on PGlite and Postgres.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { heldAcknowledgmentsTick } from "../../src/scheduler/held-acks.js";
import { processRawMessage } from "../../src/inbound/process.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listEvents } from "../../src/store/repos/events.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { listByDisposition } from "../../src/store/repos/quarantine.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, testDesk, useMaildirDesk } from "../support/desk.js";
import { mailbox, request } from "./mail.js";

function capturing() {
  const warnings: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const logger = { info() {}, error() {}, warn: (fields: object, msg?: string) => void warnings.push({ fields: fields as Record<string, unknown>, msg: msg ?? "" }) };
  return { logger, warnings };
}

describe.each(testDatabases())("per-sender cap on %s", (target) => {
  const desk = useMaildirDesk(target);

  it("holds a DTC's acknowledgments beyond the cap and sends them combined, once, when the window allows", async () => {
    const { db, clock } = desk;
    const { logger, warnings } = capturing();
    const deps = { ...inboundDeps(db, clock), logger };
    for (let n = 1; n <= 7; n++) {
      expect((await processRawMessage(deps, mailbox, request(n), { receivedAt: clock.now() })).applied.outcome).toBe("new-case");
      clock.advance(60_000);
    }
    const opened = (await listCases(db)).sort((a, b) => a.number - b.number);
    expect(opened).toHaveLength(7);
    // The engineers' new-case mail is its own record (engineers-notified), beside what the customer got.
    const kinds = async (id: number) => (await listEvents(db, id)).map((e) => e.kind).filter((k) => k !== "engineers-notified");
    for (const c of opened.slice(0, 5)) expect(await kinds(c.id)).toEqual(["opened", "acknowledged"]);
    // Nothing claims an acknowledgment that was not queued.
    for (const c of opened.slice(5)) expect(await kinds(c.id)).toEqual(["opened", "acknowledgment-withheld"]);
    expect((await listOutbox(db)).filter((r) => r.kind === "acknowledgment")).toHaveLength(5);
    expect(warnings.filter((w) => w.msg.startsWith("acknowledgment held by the per-sender cap"))).toHaveLength(2);
    expect(warnings[0]!.fields.reason).toContain("autoReplyCapPerHour: 5");

    const tick = () => heldAcknowledgmentsTick({ db, desk: testDesk(), clock, logger: { info() {} }, capPerHour: 5 });
    // Within the hour of the first five the window does not allow it.
    expect(await tick()).toEqual({ queued: 0 });
    clock.advance(60 * 60_000 - 6 * 60_000);
    expect(await tick()).toEqual({ queued: 1 });
    expect(await tick()).toEqual({ queued: 0 });
    const combined = (await listOutbox(db)).filter((r) => r.kind === "acknowledgment-combined");
    expect(combined).toHaveLength(1);
    const [six, seven] = opened.slice(5);
    expect(combined[0]!.to).toEqual(["jane.doe@customer.example"]);
    expect(combined[0]!.subject).toBe(`Your cases #${six!.number} to #${seven!.number} are open`);
    expect(combined[0]!.text).toContain(`[Case #${six!.number}] Stream 6 stalls`);
    expect(combined[0]!.text).toContain(`[Case #${seven!.number}] Stream 7 stalls`);
    expect(combined[0]!.text.match(/First response due by /g)).toHaveLength(2);
    for (const c of [six!, seven!]) expect(await kinds(c.id)).toEqual(["opened", "acknowledgment-withheld", "acknowledged"]);
  });

  it("drops a refusal beyond the cap with a warn log, and its record says no reply went", async () => {
    const { db, clock } = desk;
    const { logger, warnings } = capturing();
    const deps = { ...inboundDeps(db, clock), logger };
    for (let n = 1; n <= 6; n++) {
      expect((await processRawMessage(deps, mailbox, request(n, "m.rossi@customer.example"), { receivedAt: clock.now() })).applied.outcome).toBe("refuse");
    }
    expect((await listOutbox(db)).filter((r) => r.kind === "refusal")).toHaveLength(5);
    const refused = await listByDisposition(db, "refused", null);
    expect(refused.filter((r) => r.replyState === "queued")).toHaveLength(5);
    const dropped = refused.filter((r) => r.replyKey === null);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.replyWithheld).toContain("per-sender cap");
    expect(warnings.filter((w) => w.msg === "refusal not sent")).toHaveLength(1);
    // Refusals are never held for later.
    expect(await heldAcknowledgmentsTick({ db, desk: testDesk(), clock: new ManualClock(clock.now() + 2 * 3_600_000), logger: { info() {} }, capPerHour: 5 })).toEqual({ queued: 0 });
  });
});
