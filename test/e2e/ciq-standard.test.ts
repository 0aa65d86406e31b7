/**
 * CIQ Standard end to end: 08:00–18:00 in the CUSTOMER's local time ([002] 3.B "in local time"), business
 * days exclude days U.S. banks are closed (us-federal-reserve). The requester here is in Chicago.
 * Stories: Independence Day 2026 falls on a Saturday, so Fri 3 Jul is a bank business day (contrast with
 * Konneqt); a Severity 1 at Saturday 03:00 before the fall-back night starts Monday 08:00 local; a Severity 4
 * across Thanksgiving (a bank holiday) and a weekend, with its digest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, e2eBackends, is, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";

const ANA = { email: "ana.silva@initech.example", name: "Ana Silva", timeZone: "America/Chicago" };
const INITECH = { name: "Initech", policyId: "ciq-standard", domain: "initech.example", timeZone: "America/New_York", requester: ANA };
const COVERAGE = "weekdays 08:00–18:00 your local time, except U.S. bank holidays";

const ciqRequest = (subject: string, date: number, severity: string) =>
  requestMail({
    from: ANA.email,
    fromName: ANA.name,
    subject,
    date,
    fields: [
      ["Severity", severity],
      ["Product", "Rocky Linux 9.4 with CIQ Fuzzball"],
      ["Steps to reproduce", "Submit any workflow; the scheduler rejects it with error 503."],
    ],
  });

describe.each(e2eBackends())("CIQ Standard end to end on %s", (backend) => {
  let d: Driver;
  let people: People;

  beforeAll(async () => {
    d = await startDriver(backend, "ciq-standard", at("2026-07-02T20:00:00Z"));
  });
  afterAll(() => d.close());

  describe("Severity 1 on Thu 2 Jul 17:20 CDT: Fri 3 Jul is a bank business day", () => {
    const SUBJECT = "Scheduler rejects every workflow";
    const OPENED = at("2026-07-02T22:20:00Z"); // Thu 17:20 CDT
    // 1 business hour: Thu 17:20–18:00 = 40 min; Fri 3 Jul (Independence Day is Saturday 4 Jul; the Federal
    // Reserve does not move a Saturday holiday) opens 08:00 CDT + 20 min = 08:20 CDT = 13:20Z.
    // 50 % = 30 min → Thu 17:50 CDT = 22:50Z; 80 % = 48 min = 40 + 8 → Fri 08:08 CDT = 13:08Z.
    let n: number;

    beforeAll(async () => {
      people = await d.reset();
      await d.seedOrg(INITECH);
    });

    it("acknowledges with the due time in the requester's zone (Chicago), on Friday 3 July", async () => {
      await d.deliver(ciqRequest(SUBJECT, OPENED, "Severity 1"));
      const mail = await d.tick(OPENED);
      n = (await d.caseBySubject(SUBJECT)).number;
      const ack = mail.filter(is.ack(n));
      expect(ack.map((m) => [m.to, m.cc, m.subject])).toEqual([[[ANA.email], [], `Re: [Case #${n}] ${SUBJECT}`]]);
      expect(ack[0]!.text).toContain("Severity: Severity 1 (Critical)\n");
      expect(ack[0]!.text).toContain(`Our first response is due by Fri 3 Jul 2026, 08:20 CDT (1 business hour, ${COVERAGE}).`);
    });

    it("reminds at Thu 17:50 CDT and Fri 08:08 CDT; the breach alert at Fri 08:20 CDT", async () => {
      const half = await d.around(at("2026-07-02T22:50:00Z"), is.reminder(n, "first response"));
      expect([half.before.length, half.at.map((m) => m.to)]).toEqual([0, [[people.alice.email]]]);
      const eighty = await d.around(at("2026-07-03T13:08:00Z"), is.reminder(n, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-07-03T13:20:00Z"), is.breach(n, "first response"));
      expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[people.alice.email, people.mike.email]]]);
    });

    it("Friday's digest (08:00 EDT for the manager) lists the case at risk", async () => {
      // Sent at the 08:07 CDT tick = 09:07 EDT; due 09:20 EDT: 13 min left.
      const digest = d.sent.filter(is.digest("2026-07-03"));
      expect(digest.map((m) => m.subject)).toEqual(["SLA digest 2026-07-03: 0 breaches, 1 at risk"]);
      expect(digest[0]!.text).toMatch(new RegExp(`^#${n}\\s+Initech\\s+ciq-standard: Severity 1 \\(Critical\\)\\s+first response\\s+Fri 3 Jul 2026, 09:20 EDT\\s+13 min$`, "m"));
    });

    it("relays the engineer's reply without #severity, and lowers the severity", async () => {
      const replyAt = at("2026-07-03T13:40:00Z");
      await d.deliver(
        staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${n}] ${SUBJECT}`, date: replyAt, body: "#severity 2\nHi Ana,\n\nthe scheduler fix is in 9.4.2; please upgrade.\n" }),
      );
      const relays = (await d.tick(replyAt)).filter(is.relay(n));
      expect(relays.map((m) => m.to)).toEqual([[ANA.email]]);
      expect(relays[0]!.text).toMatch(/^Hi Ana,\n\nthe scheduler fix is in 9\.4\.2; please upgrade\./);
      expect(relays[0]!.text).not.toContain("#severity");
      expect(await d.caseBySubject(SUBJECT)).toMatchObject({ severity: "2", severitySource: "staff" });
    });
  });

  describe("Severity 1 on Saturday 31 Oct 03:00 CDT, before the fall-back night", () => {
    it("starts the clock at Monday's opening: due Mon 2 Nov 09:00 CST; reminders 08:30 and 08:48; breach 09:00", async () => {
      people = await d.reset();
      await d.seedOrg(INITECH);
      const subject = "Cluster nodes will not boot";
      const opened = at("2026-10-31T08:00:00Z"); // Sat 03:00 CDT
      await d.deliver(ciqRequest(subject, opened, "S1"));
      const mail = await d.tick(opened);
      const n = (await d.caseBySubject(subject)).number;
      // [002] 4.B: outside business hours the clock starts at the next Business Day: Mon 2 Nov 08:00 CST (the
      // clocks fell back on Sun 1 Nov) + 1 h = 09:00 CST = 15:00Z. 50 % → 08:30 CST; 80 % → 08:48 CST.
      expect(mail.find(is.ack(n))!.text).toContain(`Our first response is due by Mon 2 Nov 2026, 09:00 CST (1 business hour, ${COVERAGE}).`);
      const half = await d.around(at("2026-11-02T14:30:00Z"), is.reminder(n, "first response"));
      expect([half.before.length, half.at.length]).toEqual([0, 1]);
      const eighty = await d.around(at("2026-11-02T14:48:00Z"), is.reminder(n, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-11-02T15:00:00Z"), is.breach(n, "first response"));
      expect([breach.before.length, breach.at.length]).toEqual([0, 1]);
    });
  });

  describe("Severity 4 on Wed 25 Nov 14:00 CST, across Thanksgiving and the weekend", () => {
    const SUBJECT = "Question about kernel live patching";
    const OPENED = at("2026-11-25T20:00:00Z"); // Wed 14:00 CST
    // 2 business days = 20 open hours: Wed 14:00–18:00 = 4 h; Thu 26 Nov Thanksgiving (banks closed);
    // Fri 27 Nov (banks open) 10 h → 14 h; Sat, Sun; Mon 30 Nov 08:00 + 6 h = 14:00 CST = 20:00Z.
    // 50 % = 10 h → Fri 27 Nov 14:00 CST = 20:00Z; 80 % = 16 h → Mon 30 Nov 10:00 CST = 16:00Z.
    let n: number;

    it("acknowledges: due Mon 30 Nov 14:00 CST", async () => {
      people = await d.reset();
      await d.seedOrg(INITECH);
      await d.deliver(ciqRequest(SUBJECT, OPENED, "4"));
      const mail = await d.tick(OPENED);
      n = (await d.caseBySubject(SUBJECT)).number;
      const ack = mail.find(is.ack(n))!;
      expect(ack.text).toContain("Severity: Severity 4 (Low)\n");
      expect(ack.text).toContain(`Our first response is due by Mon 30 Nov 2026, 14:00 CST (2 business days, ${COVERAGE}).`);
    });

    it("reminds on Fri 27 Nov 14:00 and Mon 30 Nov 10:00 CST; breach alert Mon 14:00 CST", async () => {
      const half = await d.around(at("2026-11-27T20:00:00Z"), is.reminder(n, "first response"));
      expect([half.before.length, half.at.length]).toEqual([0, 1]);
      const eighty = await d.around(at("2026-11-30T16:00:00Z"), is.reminder(n, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-11-30T20:00:00Z"), is.breach(n, "first response"));
      expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[people.alice.email, people.mike.email]]]);
    });

    it("Tuesday's digest reports the breach still open, 4 business hours late", async () => {
      // Tue 1 Dec 08:00 EST = 07:00 CST: late by Mon 14:00–18:00 CST = 4 h (Tuesday has not opened yet).
      const digest = (await d.tick(at("2026-12-01T13:00:00Z"))).filter(is.digest("2026-12-01"));
      expect(digest.map((m) => [m.to, m.subject])).toEqual([[[people.mike.email], "SLA digest 2026-12-01: 1 breach, 0 at risk"]]);
      expect(digest[0]!.text).toMatch(new RegExp(`^#${n}\\s+Initech\\s+ciq-standard: Severity 4 \\(Low\\)\\s+first response\\s+Mon 30 Nov 2026, 15:00 EST\\s+still open\\s+17 h\\s+4 h$`, "m"));
    });
  });
});
