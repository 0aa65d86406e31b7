import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import type { Db } from "../../src/store/database.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { attachments, caseEvents, cases, contacts, inboundRejections, messages, organizations, outbox, staff } from "../../src/store/schema/index.js";
import { processRawMessage } from "../../src/inbound/process.js";
import { schedulerTick } from "../../src/scheduler/tick.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, seedAcme, SUPPORT, testDesk } from "../support/desk.js";

const quiet = { info() {}, error() {} };
const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq" };

describe.each(testDatabases())("SLA scheduler on %s", (target) => {
  let db: Db;
  const desk = testDesk();
  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(() => target.close());
  beforeEach(async () => {
    for (const t of [outbox, attachments, caseEvents, messages, cases, inboundRejections, contacts, organizations, staff]) await db.delete(t);
  });

  async function openSev1(clock: ManualClock) {
    await seedAcme(db);
    const raw = await readFile(join(import.meta.dirname, "..", "fixtures", "mail", "template-full-vantiq.eml"));
    const { applied } = await processRawMessage(inboundDeps(db, clock, desk), mailbox, raw, { receivedAt: null });
    expect(applied.outcome).toBe("new-case");
    const [c] = await db.select().from(cases);
    return c!;
  }

  const staffMail = async () => (await listOutbox(db)).filter((r) => r.kind === "reminder" || r.kind === "breach-alert");

  it("reminds the team at 50% and 80% of the first response target and alerts managers at the breach", async () => {
    // VANTIQ Severity 1 in production opened Tue 10 Nov 2026 09:14:30 Pacific: 4 business hours → due 13:14:30.
    const clock = new ManualClock("2026-11-10T17:14:30Z");
    const opened = await openSev1(clock);
    expect(opened.nextActionAt?.toISOString()).toBe("2026-11-10T19:14:30.000Z"); // 50% = 2 h → 11:14:30 Pacific

    clock.set("2026-11-10T19:14:29Z");
    expect(await schedulerTick({ db, desk, clock, logger: quiet })).toMatchObject({ cases: 0, queued: 0 });

    clock.set("2026-11-10T19:14:30Z");
    // `reminders` is what the worker counts in support_inbox_sla_reminders_total / _breaches_total.
    expect(await schedulerTick({ db, desk, clock, logger: quiet })).toMatchObject({ cases: 1, queued: 1, reminders: [{ policy: "vantiq", breach: false }] });
    const [half] = await staffMail();
    expect(half).toMatchObject({ kind: "reminder", to: ["alice@vendor.example"] });
    expect(half!.subject).toBe(`[Case #${opened.number}] Reminder: first response due Tue 10 Nov 2026, 13:14 PST — Event stream stops processing after namespace redeploy`);
    expect(half!.text).toContain("50% of the 4 business hours target has passed; 2 h of business time left.");
    expect(half!.headers["Auto-Submitted"]).toBe("auto-generated");

    // Ticking again at the same instant owes nothing more.
    expect(await schedulerTick({ db, desk, clock, logger: quiet })).toMatchObject({ queued: 0 });

    clock.set("2026-11-10T20:26:30Z"); // 80% = 3 h 12 min → 12:26:30 Pacific
    await schedulerTick({ db, desk, clock, logger: quiet });
    expect((await staffMail()).map((m) => m.kind)).toEqual(["reminder", "reminder"]);

    clock.set("2026-11-10T21:14:30Z"); // breach at 13:14:30 Pacific
    expect((await schedulerTick({ db, desk, clock, logger: quiet })).reminders).toEqual([{ policy: "vantiq", breach: true }]);
    const breach = (await staffMail()).find((m) => m.kind === "breach-alert");
    expect(breach?.to).toEqual(["alice@vendor.example", "mike@vendor.example"]);
    expect(breach?.text).toContain("SLA BREACH: case");
    expect(breach?.text).toContain("missed its first response target");

    const [after] = await db.select().from(cases).where(eq(cases.id, opened.id));
    expect(after!.remindersSent).toHaveLength(3);
    expect(after!.nextActionAt).toBeNull();
  });

  it("owes no reminder once an engineer has answered", async () => {
    const clock = new ManualClock("2026-11-10T17:14:30Z");
    const opened = await openSev1(clock);
    clock.set("2026-11-10T18:00:00Z");
    const reply = [
      "From: Alice Engineer <alice@vendor.example>",
      `To: ${SUPPORT}`,
      `Subject: Re: [Case #${opened.number}] Event stream stops processing`,
      "Message-ID: <alice-1@vendor.example>",
      "Date: Tue, 10 Nov 2026 10:00:00 -0800",
      "",
      "We are looking at the stream now.",
      "",
    ].join("\r\n");
    const { applied } = await processRawMessage(inboundDeps(db, clock, desk), mailbox, Buffer.from(reply), { receivedAt: null });
    expect(applied).toMatchObject({ outcome: "thread", caseNumber: opened.number });
    clock.set("2026-11-10T23:00:00Z");
    await schedulerTick({ db, desk, clock, logger: quiet });
    expect(await staffMail()).toEqual([]);
  });

  it("lets two workers tick at once without queuing any reminder twice", async () => {
    const clock = new ManualClock("2026-11-10T17:14:30Z");
    await openSev1(clock);
    clock.set("2026-11-10T21:30:00Z"); // past 50%, 80% and the breach at once
    const second = await target.connect();
    try {
      const results = await Promise.all([
        schedulerTick({ db, desk, clock, logger: quiet }),
        schedulerTick({ db: second.db, desk, clock, logger: quiet }),
      ]);
      expect(results.map((r) => r.cases).sort()).toEqual([0, 1]);
    } finally {
      await second.close();
    }
    const kinds = (await staffMail()).map((m) => m.kind).sort();
    expect(kinds).toEqual(["breach-alert", "reminder", "reminder"]);
  });
});
