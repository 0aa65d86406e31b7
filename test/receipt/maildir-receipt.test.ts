/**
 * The clock starts when the mailbox received the mail: a Maildir message delivered at 09:00 and read at 12:00
 * is due from 09:00 (the delivery time in its file name, else its mtime; never its Date: header). A backlog read
 * long after it arrived still gets acknowledgments, sends no past reminders one by one, and gives the managers
 * one summary of the breaches already past. On PGlite and Postgres.
 */
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { drainSource } from "../../src/inbound/drain.js";
import { ensureMaildir } from "../../src/sources/maildir-files.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listEvents } from "../../src/store/repos/events.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { listPastBreaches } from "../../src/store/repos/past-breaches.js";
import { schedulerTick } from "../../src/scheduler/tick.js";
import { cases } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, testDesk, useMaildirDesk } from "../support/desk.js";

const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const quiet = { info() {}, error() {} };

/** A DTC's Severity 2 request whose Date: header claims a time of its own (the sender's clock). */
const request = (n: number, date = "Tue, 10 Nov 2026 06:00:00 -0800") =>
  [
    "From: Jane Doe <jane.doe@customer.example>",
    `To: ${SUPPORT}`,
    `Subject: Request ${n}: stream stalls`,
    `Message-ID: <receipt-${n}@customer.example>`,
    `Date: ${date}`,
    "",
    "Name: Jane Doe",
    "Company: Acme",
    "Severity: 2",
    "Environment: production",
    `Steps to reproduce: publish ${n} events`,
    "",
  ].join("\r\n");

/** Writes straight into new/ the way an MDA names files: "seconds.M<micros>P<pid>.host,S=<size>" (the size, as
 * Dovecot writes it, tells the reader the file is complete). */
async function deliverAt(dir: string, iso: string, raw: string, name?: string): Promise<string> {
  const seconds = Date.parse(iso) / 1000;
  const file = `${name ?? `${seconds}.M0P4242Q${Math.random().toString(36).slice(2, 8)}.mx1`},S=${Buffer.byteLength(raw)}`;
  await ensureMaildir(dir);
  await writeFile(join(dir, "new", file), raw);
  return file;
}

describe.each(testDatabases())("receipt instant through the Maildir pipeline on %s", (target) => {
  const desk = useMaildirDesk(target);

  it("a mail delivered at 09:00 and read at 12:00 is due from 09:00 (file-name time, not mtime, not Date:)", async () => {
    const { db, dir, source, clock } = desk;
    clock.set("2026-11-10T20:00:00Z"); // Tue 12:00 Pacific
    const file = await deliverAt(dir, "2026-11-10T17:00:00Z", request(1)); // delivered Tue 09:00 Pacific
    // The file was touched later (copied, restored): its mtime says 11:30, the name keeps the delivery.
    await utimes(join(dir, "new", file), new Date("2026-11-10T19:30:00Z"), new Date("2026-11-10T19:30:00Z"));
    await drainSource(inboundDeps(db, clock), source, mailbox);
    const [opened] = await listCases(db);
    expect(opened!.openedAt.toISOString()).toBe("2026-11-10T17:00:00.000Z");
    const [ack] = (await listOutbox(db)).filter((r) => r.kind === "acknowledgment");
    // VANTIQ Severity 2: 4 business hours from 09:00 Pacific, not from 12:00 (16:00) nor from the Date: header.
    expect(ack!.text).toContain("Our first response is due by Tue 10 Nov 2026, 13:00 PST");
    const events = await listEvents(db, opened!.id);
    expect(events.filter((e) => e.kind === "opened" || e.kind === "acknowledged").map((e) => e.at.toISOString())).toEqual([
      "2026-11-10T17:00:00.000Z",
      "2026-11-10T17:00:00.000Z",
    ]);
    // Read three hours late: the opening says when it was read.
    expect(events.find((e) => e.kind === "opened")!.data).toMatchObject({ readAt: "2026-11-10T20:00:00.000Z" });
  });

  it("a mail read within the minute it landed carries no readAt: it was not read late", async () => {
    const { db, dir, source, clock } = desk;
    clock.set("2026-11-10T20:00:00.800Z");
    await deliverAt(dir, "2026-11-10T20:00:00Z", request(5));
    await drainSource(inboundDeps(db, clock), source, mailbox);
    const kase = (await listCases(db)).find((c) => c.openedAt.toISOString() === "2026-11-10T20:00:00.000Z")!;
    const opened = (await listEvents(db, kase.id)).find((e) => e.kind === "opened")!;
    expect(opened.data).not.toHaveProperty("readAt");
  });

  it("without a time in the file name the delivery time is the file's mtime, and never later than now", async () => {
    const { db, dir, source, clock } = desk;
    clock.set("2026-11-10T20:00:00Z");
    const early = await deliverAt(dir, "2026-11-10T17:00:00Z", request(2), "mda-without-time.eml");
    await utimes(join(dir, "new", early), new Date("2026-11-10T17:30:00Z"), new Date("2026-11-10T17:30:00Z"));
    // A file name from the future (a skewed MDA clock) opens the case now, never later.
    await deliverAt(dir, "2026-11-11T20:00:00Z", request(3));
    await drainSource(inboundDeps(db, clock), source, mailbox);
    const opened = (await listCases(db)).sort((a, b) => a.number - b.number);
    expect(opened.map((c) => c.openedAt.toISOString()).sort()).toEqual(["2026-11-10T17:30:00.000Z", "2026-11-10T20:00:00.000Z"]);
  });

  it("a backlog read late: acknowledgments go out, no past reminders one by one, one summary of past breaches to managers", async () => {
    const { db, dir, source, clock } = desk;
    // Three requests received Monday morning while the worker was down; it starts Tuesday 12:00 Pacific.
    for (const n of [11, 12, 13]) await deliverAt(dir, `2026-11-09T17:0${n - 10}:00Z`, request(n));
    clock.set("2026-11-10T20:00:00Z");
    const deps = inboundDeps(db, clock);
    const drained = await drainSource(deps, source, mailbox, undefined, { messages: 1, bytes: 1 << 20 }); // one per batch
    expect(drained).toMatchObject({ processed: 3 });
    const mail = await listOutbox(db);
    // Every customer learns their case number.
    expect(mail.filter((m) => m.kind === "acknowledgment")).toHaveLength(3);
    // Each first response (4 business hours from Monday 09:0x) was due Monday 13:0x: breached before the read.
    const summaries = mail.filter((m) => m.kind === "past-breaches");
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.to).toEqual(["mike@vendor.example"]);
    expect(summaries[0]!.text).toContain("3 on 3 case(s)");
    for (const c of await listCases(db)) expect(summaries[0]!.text).toContain(`[Case #${c.number}] Acme, Severity 2`);
    // In the manager's zone (New York): 09:01 Pacific + 4 business hours = 13:01 Pacific.
    expect(summaries[0]!.text).toContain("Was due:  Mon 9 Nov 2026, 16:01 EST");
    expect(mail.filter((m) => m.kind === "reminder" || m.kind === "breach-alert")).toEqual([]);

    // The scheduler owes nothing for instants already past: no burst of reminders or breach alerts.
    await schedulerTick({ db, desk: testDesk(), clock, logger: quiet });
    expect((await listOutbox(db)).filter((m) => m.kind === "reminder" || m.kind === "breach-alert")).toEqual([]);
    const [first] = await listCases(db);
    const skipped = (await listEvents(db, first!.id)).find((e) => e.kind === "reminders-past");
    expect(skipped?.data).toMatchObject({ skipped: ["initial-response:0:0.5", "initial-response:0:0.8"], breached: ["initial-response:0:1"] });
    expect((await listPastBreaches(db)).every((b) => b.reportedAt !== null)).toBe(true);

    // Another drain finds nothing new to summarise.
    await drainSource(deps, source, mailbox);
    expect((await listOutbox(db)).filter((m) => m.kind === "past-breaches")).toHaveLength(1);
  });

  it("a mail read late whose reminders are still ahead is reminded on time by the scheduler", async () => {
    const { db, dir, source, clock } = desk;
    await deliverAt(dir, "2026-11-10T17:00:00Z", request(21)); // 09:00 Pacific; 50% at 11:00, 80% at 12:12
    clock.set("2026-11-10T19:30:00Z"); // read at 11:30: the 50% reminder is past, 80% ahead
    await drainSource(inboundDeps(db, clock), source, mailbox);
    const [opened] = await listCases(db);
    expect(opened!.remindersSent).toEqual(["initial-response:0:0.5"]);
    expect(opened!.nextActionAt?.toISOString()).toBe("2026-11-10T20:12:00.000Z");
    clock.set("2026-11-10T20:12:00Z");
    await schedulerTick({ db, desk: testDesk(), clock, logger: quiet });
    const reminders = (await listOutbox(db)).filter((m) => m.kind === "reminder");
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toContain("80%");
    const [after] = await db.select().from(cases).where(eq(cases.id, opened!.id));
    expect(after!.remindersSent).toEqual(["initial-response:0:0.5", "initial-response:0:0.8"]);
    expect((await listOutbox(db)).filter((m) => m.kind === "past-breaches")).toEqual([]);
  });

  it("a reply counts when it was received: an engineer's answer delivered before the due time and read after it meets the first response", async () => {
    const { db, dir, source, clock } = desk;
    await deliverAt(dir, "2026-11-10T17:15:00Z", request(31)); // Tue 09:15 Pacific: first response due 13:15
    clock.set("2026-11-10T17:20:00Z");
    await drainSource(inboundDeps(db, clock), source, mailbox);
    const [opened] = await listCases(db);
    const answer = [
      "From: Alice Engineer <alice@vendor.example>",
      `To: ${SUPPORT}`,
      `Subject: Re: [Case #${opened!.number}] Request 31: stream stalls`,
      "Message-ID: <receipt-answer-31@vendor.example>",
      "Date: Tue, 10 Nov 2026 12:30:00 -0800",
      "",
      "We are looking at the stalled stream now.",
      "",
    ].join("\r\n");
    await deliverAt(dir, "2026-11-10T20:30:00Z", answer); // delivered 12:30 Pacific
    clock.set("2026-11-10T22:00:00Z"); // read at 14:00 Pacific, an hour past the due time
    await drainSource(inboundDeps(db, clock), source, mailbox);
    const replied = (await listEvents(db, opened!.id)).find((e) => e.kind === "staff-replied");
    expect(replied?.at.toISOString()).toBe("2026-11-10T20:30:00.000Z");
    const [after] = await db.select().from(cases).where(eq(cases.id, opened!.id));
    const state = after!.slaState as { metrics: Array<{ metric: string; state: string; metAt: number | null }> };
    expect(state.metrics.find((m) => m.metric === "initial-response")).toMatchObject({ state: "met", metAt: Date.parse("2026-11-10T20:30:00Z") });
  });
});
