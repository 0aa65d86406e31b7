/**
 * Konneqt Enterprise end to end: 8×5, 09:00–17:00 U.S. Eastern, business days exclude U.S. public holidays
 * (us-federal: Independence Day 2026 is a Saturday, so Fri 3 Jul is the observed holiday — unlike CIQ's bank
 * calendar). A P1 incident: first response 1 h, status update every 4 h after each public reply, workaround
 * 24 h from the acknowledgment; a missed workaround is escalated to the executives ([003]).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, e2eBackends, ESCALATION, is, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";

const COVERAGE = "weekdays 09:00–17:00 U.S. Eastern time, except U.S. public holidays";
const SAM = { email: "sam.ortiz@soylent.example", name: "Sam Ortiz", timeZone: "America/New_York" };
const SOYLENT = { name: "Soylent", policyId: "konneqt-enterprise", domain: "soylent.example", timeZone: "America/New_York", requester: SAM };

const incident = (subject: string, date: number, priority: string) =>
  requestMail({
    from: SAM.email,
    fromName: SAM.name,
    subject,
    date,
    fields: [
      ["Case type", "Incident"],
      ["Priority", priority],
      ["Environment", "production"],
      ["Deployment", "private cloud"],
      ["Product", "Konneqt API Gateway 5.2"],
      ["Steps to reproduce", "Call any /orders endpoint; the gateway answers 502 after 30 s."],
    ],
  });

describe.each(e2eBackends())("Konneqt Enterprise end to end on %s", (backend) => {
  let d: Driver;
  let people: People;
  beforeAll(async () => {
    d = await startDriver(backend, "konneqt-enterprise", at("2026-03-06T19:00:00Z"));
  });
  afterAll(() => d.close());

  it("a P2 on Fri 6 Mar 15:00 EST is due Mon 9 Mar 11:00 EDT, across the spring-forward night", async () => {
    people = await d.reset();
    await d.seedOrg(SOYLENT);
    const subject = "Slow responses from the billing API";
    const opened = at("2026-03-06T20:00:00Z"); // Fri 15:00 EST
    await d.deliver(incident(subject, opened, "P2"));
    const mail = await d.tick(opened);
    const p2 = (await d.caseBySubject(subject)).number;
    // 4 business hours: Fri 15:00–17:00 EST = 2 h; clocks spring forward Sun 8 Mar; Mon 09:00 EDT + 2 h = 11:00 EDT.
    const ack = mail.find(is.ack(p2))!;
    expect(ack.text).toContain("Severity: P2 – High\n");
    expect(ack.text).toContain(`Our first response is due by Mon 9 Mar 2026, 11:00 EDT (4 hours, ${COVERAGE}).`);
    // 50 % = 2 h → Fri 17:00 EST, the close of Friday (22:00Z); the breach at Mon 11:00 EDT = 15:00Z.
    const half = await d.around(at("2026-03-06T22:00:00Z"), is.reminder(p2, "first response"));
    expect([half.before.length, half.at.length]).toEqual([0, 1]);
    const breach = await d.around(at("2026-03-09T15:00:00Z"), is.breach(p2, "first response"));
    expect([breach.before.length, breach.at.length]).toEqual([0, 1]);
  });

  describe("P1 on Thu 2 Jul 10:00 EDT, across the observed Independence Day", () => {
    const SUBJECT = "Gateway returns 502 on every order";
    const OPENED = at("2026-07-02T14:00:00Z"); // Thu 2 Jul 10:00 EDT
    let n: number;

    beforeAll(async () => {
      people = await d.reset();
      await d.seedOrg(SOYLENT);
    });

    it("acknowledges the P1 with its first response due at 11:00 EDT; a P0 without a Managed Deployment becomes P1", async () => {
      await d.deliver(incident(SUBJECT, OPENED, "P1"));
      await d.deliver(incident("Whole cluster unavailable", OPENED, "P0"));
      const mail = await d.tick(OPENED);
      n = (await d.caseBySubject(SUBJECT)).number;
      const ack = mail.filter(is.ack(n));
      expect(ack.map((m) => [m.to, m.cc, m.subject])).toEqual([[[SAM.email], [], `Re: [Case #${n}] ${SUBJECT}`]]);
      expect(ack[0]!.text).toContain("Severity: P1 – Critical\n");
      expect(ack[0]!.text).toContain(`Our first response is due by Thu 2 Jul 2026, 11:00 EDT (1 hour, ${COVERAGE}).`);

      const p0 = mail.find(is.ack((await d.caseBySubject("Whole cluster unavailable")).number))!;
      expect(p0.text).toContain("Severity: P1 – Critical\n");
      expect(p0.text).toContain("P0 applies to Managed Deployments only, so this incident is handled as P1.");
    });

    it("reminds the team at 50 % of the first response (10:30 EDT)", async () => {
      const half = await d.around(at("2026-07-02T14:30:00Z"), is.reminder(n, "first response"));
      expect([half.before.length, half.at.map((m) => m.to)]).toEqual([0, [[people.alice.email]]]);
    });

    it("relays the engineer's first reply at 10:40 EDT without #assign, and assigns her", async () => {
      const replyAt = at("2026-07-02T14:40:00Z");
      await d.deliver(
        staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${n}] ${SUBJECT}`, date: replyAt, body: "#assign alice@vendor.example\nSam, we see the 502s too and are investigating.\n" }),
      );
      const relays = (await d.tick(replyAt)).filter(is.relay(n));
      expect(relays.map((m) => m.to)).toEqual([[SAM.email]]);
      expect(relays[0]!.text).toMatch(/^Sam, we see the 502s too and are investigating\./);
      expect(relays[0]!.text).not.toContain("#assign");
      expect(await d.caseBySubject(SUBJECT)).toMatchObject({ assigneeId: people.alice.id });
    });

    it("owes a status update 4 business hours after the reply: reminders 12:40 and 13:52 EDT, breach alert 14:40 EDT", async () => {
      // 10:40 + 4 h = 14:40 EDT (18:40Z), inside Thursday. 50 % = 2 h → 12:40 EDT; 80 % = 192 min → 13:52 EDT.
      const half = await d.around(at("2026-07-02T16:40:00Z"), is.reminder(n, "status update"));
      expect([half.before.length, half.at.map((m) => m.to)]).toEqual([0, [[people.alice.email]]]);
      const eighty = await d.around(at("2026-07-02T17:52:00Z"), is.reminder(n, "status update"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      // Meanwhile the workaround (below) reaches 50 % at 14:00 EDT.
      const workaround = await d.around(at("2026-07-02T18:00:00Z"), is.reminder(n, "workaround"));
      expect([workaround.before.length, workaround.at.map((m) => m.to)]).toEqual([0, [[people.alice.email]]]);
      expect(workaround.at[0]!.text).toContain("the workaround is due Mon 6 Jul 2026, 07:00 PDT."); // Alice reads Pacific time
      const breach = await d.around(at("2026-07-02T18:40:00Z"), is.breach(n, "status update"));
      // The status update is not a workaround or resolution target: managers, not executives.
      expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[people.alice.email, people.mike.email]]]);
      expect(breach.at[0]!.text).not.toContain(ESCALATION);
    });

    it("reminds of the workaround at 80 % on Thu 2 Jul 16:24 EDT", async () => {
      // Workaround: [003] P1 "24 hours", read as 1 business day (8 business hours) from the acknowledgment (Thu
      // 10:00): Thu 10–17 = 7 h; Fri 3 Jul closed (us-federal observed Independence Day); Mon 09:00 + 1 h = 10:00 EDT.
      // 50 % = 4 h → Thu 14:00 EDT (above); 80 % = 384 min → Thu 16:24 EDT = 20:24Z.
      const eighty = await d.around(at("2026-07-02T20:24:00Z"), is.reminder(n, "workaround"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
    });

    it("Friday 3 July's digest (an observed holiday, 08:00 EDT) lists both breaches still open, late in business time", async () => {
      // The status update: Thu 14:40–17:00 = 2 h 20 min late. The unanswered P0-made-P1: due Thu 11:00 EDT
      // (1 hour from 10:00), Thu 11:00–17:00 = 6 h late. Friday is closed, so neither grows overnight.
      const p0 = (await d.caseBySubject("Whole cluster unavailable")).number;
      const digest = (await d.tick(at("2026-07-03T12:00:00Z"))).filter(is.digest("2026-07-03"));
      // At risk: both cases' workarounds (1 business day, due Mon 6 Jul 10:00 EDT) are past 80 %.
      expect(digest.map((m) => [m.to, m.subject])).toEqual([[[people.mike.email], "SLA digest 2026-07-03: 2 breaches, 2 at risk"]]);
      const text = digest[0]!.text;
      expect(text).toMatch(new RegExp(`^#${p0}\\s+Soylent\\s+konneqt-enterprise: P1 – Critical\\s+first response\\s+Thu 2 Jul 2026, 11:00 EDT\\s+still open\\s+21 h\\s+6 h$`, "m"));
      expect(text).toMatch(new RegExp(`^#${n}\\s+Soylent\\s+konneqt-enterprise: P1 – Critical\\s+status update\\s+Thu 2 Jul 2026, 14:40 EDT\\s+still open\\s+17 h 20 min\\s+2 h 20 min$`, "m"));
      // Decided so far: #n's first response (met), its status update and the other first response (missed).
      expect(text).toMatch(/^konneqt-enterprise: P1 – Critical\s+33 %\s+3\s+33 %\s+3$/m);
    });

    it("escalates the missed workaround to the executives at Mon 6 Jul 10:00 EDT, skipping the 3 July holiday, with the escalation text", async () => {
      const breach = await d.around(at("2026-07-06T14:00:00Z"), is.breach(n, "workaround"));
      expect(breach.before).toEqual([]);
      expect(breach.at.map((m) => m.to)).toEqual([[people.alice.email, people.erin.email, people.mike.email]]);
      expect(breach.at[0]!.text).toContain(`SLA BREACH: case ${n} (Soylent, P1 – Critical) missed its workaround target.`);
      expect(breach.at[0]!.text).toContain(ESCALATION);
    });
  });
});
