/**
 * Konneqt Basic end to end: 12×5, 08:00–20:00 GMT-3 — a fixed offset, so the U.S. spring-forward on Sun 8 Mar
 * 2026 moves nothing — and business days exclude U.S. public holidays (us-federal: Fri 3 Jul 2026 is the
 * observed Independence Day). The requester is in São Paulo (GMT-3 all year since 2019).
 * Stories: a P2 on Friday 6 Mar 19:00 across the weekend (first response, engineer's reply, the missed
 * workaround escalated to the executives, the digest); a P1 on Thu 2 Jul across the observed holiday.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, e2eBackends, ESCALATION, is, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";

const COVERAGE = "weekdays 08:00–20:00 GMT-3, except U.S. public holidays";
const LUCAS = { email: "lucas@tyrell.example", name: "Lucas Souza", timeZone: "America/Sao_Paulo" };
const TYRELL = { name: "Tyrell", policyId: "konneqt-basic", domain: "tyrell.example", timeZone: "America/Sao_Paulo", requester: LUCAS };

const incident = (subject: string, date: number, priority: string) =>
  requestMail({
    from: LUCAS.email,
    fromName: LUCAS.name,
    subject,
    date,
    fields: [
      ["Case type", "Incident"],
      ["Priority", priority],
      ["Environment", "production"],
      ["Deployment", "public cloud"],
      ["Product", "Konneqt Integration Server 4.8"],
      ["Steps to reproduce", "Start the nightly sync; it stops after the first 1,000 records."],
    ],
  });

describe.each(e2eBackends())("Konneqt Basic end to end on %s", (backend) => {
  let d: Driver;
  let people: People;

  beforeAll(async () => {
    d = await startDriver(backend, "konneqt-basic", at("2026-03-06T21:00:00Z"));
  });
  afterAll(() => d.close());

  describe("P2 on Friday 6 Mar 19:00 GMT-3, across the weekend (and the U.S. spring-forward, which does not apply)", () => {
    const SUBJECT = "Nightly sync stops after 1,000 records";
    const OPENED = at("2026-03-06T22:00:00Z"); // Fri 19:00 GMT-3
    let n: number;

    beforeAll(async () => {
      people = await d.reset();
      await d.seedOrg(TYRELL);
    });

    it("acknowledges: first response due Mon 9 Mar 11:00 GMT-3", async () => {
      await d.deliver(incident(SUBJECT, OPENED, "P2"));
      const mail = await d.tick(OPENED);
      n = (await d.caseBySubject(SUBJECT)).number;
      // 4 hours of 12×5: Fri 19:00–20:00 = 1 h; Mon 9 Mar 08:00 + 3 h = 11:00 GMT-3 = 14:00Z.
      const ack = mail.filter(is.ack(n));
      expect(ack.map((m) => [m.to, m.subject])).toEqual([[[LUCAS.email], `Re: [Case #${n}] ${SUBJECT}`]]);
      expect(ack[0]!.text).toContain("Severity: P2 – High\n");
      expect(ack[0]!.text).toContain(`Our first response is due by Mon 9 Mar 2026, 11:00 GMT-3 (4 hours, ${COVERAGE}).`);
    });

    it("reminds at Mon 09:00 and 10:12 GMT-3 and alerts at 11:00 GMT-3", async () => {
      // 50 % = 2 h = 1 on Friday + 1 → Mon 09:00 GMT-3 = 12:00Z; 80 % = 192 min = 60 + 132 → 10:12 = 13:12Z.
      const half = await d.around(at("2026-03-09T12:00:00Z"), is.reminder(n, "first response"));
      expect([half.before.length, half.at.map((m) => m.to)]).toEqual([0, [[people.alice.email]]]);
      const eighty = await d.around(at("2026-03-09T13:12:00Z"), is.reminder(n, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-03-09T14:00:00Z"), is.breach(n, "first response"));
      expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[people.alice.email, people.mike.email]]]);
      expect(breach.at[0]!.text).not.toContain(ESCALATION);
    });

    it("relays the engineer's reply without its #assign command", async () => {
      const replyAt = at("2026-03-09T14:30:00Z"); // Mon 11:30 GMT-3
      await d.deliver(
        staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${n}] ${SUBJECT}`, date: replyAt, body: "#assign alice@vendor.example\nLucas, we reproduced it and are working on a workaround.\n" }),
      );
      const relays = (await d.tick(replyAt)).filter(is.relay(n));
      expect(relays.map((m) => m.to)).toEqual([[LUCAS.email]]);
      expect(relays[0]!.text).toMatch(/^Lucas, we reproduced it and are working on a workaround\./);
      expect(relays[0]!.text).not.toContain("#assign");
      expect(await d.caseBySubject(SUBJECT)).toMatchObject({ assigneeId: people.alice.id });
    });

    it("reminds of the workaround at Mon 19:00 GMT-3", async () => {
      // Workaround 24 h from the acknowledgment: Fri 1 h; Mon 12 h → 13 h; Tue 10 Mar 08:00 + 11 h = 19:00 GMT-3.
      // 50 % = 12 h = 1 + 11 → Mon 19:00 GMT-3 = 22:00Z.
      const half = await d.around(at("2026-03-09T22:00:00Z"), is.reminder(n, "workaround"));
      expect([half.before.length, half.at.map((m) => m.to)]).toEqual([0, [[people.alice.email]]]);
    });

    it("Tuesday's digest (08:00 EDT) reports the first response met 30 min late and the workaround at risk", async () => {
      const digest = (await d.tick(at("2026-03-10T12:00:00Z"))).filter(is.digest("2026-03-10")); // Tue 09:00 GMT-3
      expect(digest.map((m) => [m.to, m.subject])).toEqual([[[people.mike.email], "SLA digest 2026-03-10: 1 breach, 1 at risk"]]);
      // In the manager's zone: 11:00 GMT-3 = 10:00 EDT; the workaround 19:00 GMT-3 = 18:00 EDT, 10 h of open time left.
      expect(digest[0]!.text).toMatch(new RegExp(`^#${n}\\s+Tyrell\\s+konneqt-basic: P2 – High\\s+first response\\s+Mon 9 Mar 2026, 10:00 EDT\\s+met late\\s+-\\s+30 min$`, "m"));
      expect(digest[0]!.text).toMatch(new RegExp(`^#${n}\\s+Tyrell\\s+konneqt-basic: P2 – High\\s+workaround\\s+Tue 10 Mar 2026, 18:00 EDT\\s+10 h$`, "m"));
    });

    it("reminds at 80 % (Tue 14:12 GMT-3) and escalates the missed workaround to the executives at Tue 19:00 GMT-3", async () => {
      // 80 % = 1152 min = 60 + 720 + 372 → Tue 14:12 GMT-3 = 17:12Z; due Tue 19:00 GMT-3 = 22:00Z.
      const eighty = await d.around(at("2026-03-10T17:12:00Z"), is.reminder(n, "workaround"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-03-10T22:00:00Z"), is.breach(n, "workaround"));
      expect(breach.before).toEqual([]);
      expect(breach.at.map((m) => m.to)).toEqual([[people.alice.email, people.erin.email, people.mike.email]]);
      expect(breach.at[0]!.text).toContain(ESCALATION);
    });
  });

  describe("P1 on Thu 2 Jul 18:30 GMT-3: Fri 3 Jul is the observed Independence Day (us-federal)", () => {
    it("is due Mon 6 Jul 08:30 GMT-3; reminders Thu 19:30 and Mon 08:06; breach Mon 08:30", async () => {
      people = await d.reset();
      await d.seedOrg(TYRELL);
      const subject = "Integration Server down after certificate renewal";
      const opened = at("2026-07-02T21:30:00Z"); // Thu 18:30 GMT-3
      await d.deliver(incident(subject, opened, "Critical"));
      const mail = await d.tick(opened);
      const n = (await d.caseBySubject(subject)).number;
      // 2 hours: Thu 18:30–20:00 = 1.5 h; Fri 3 Jul closed; Mon 6 Jul 08:00 + 0.5 h = 08:30 GMT-3 = 11:30Z.
      // 50 % = 1 h → Thu 19:30 GMT-3 = 22:30Z; 80 % = 96 min = 90 + 6 → Mon 08:06 GMT-3 = 11:06Z.
      const ack = mail.find(is.ack(n))!;
      expect(ack.text).toContain("Severity: P1 – Critical\n");
      expect(ack.text).toContain(`Our first response is due by Mon 6 Jul 2026, 08:30 GMT-3 (2 hours, ${COVERAGE}).`);
      const half = await d.around(at("2026-07-02T22:30:00Z"), is.reminder(n, "first response"));
      expect([half.before.length, half.at.length]).toEqual([0, 1]);
      const eighty = await d.around(at("2026-07-06T11:06:00Z"), is.reminder(n, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-07-06T11:30:00Z"), is.breach(n, "first response"));
      expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[people.alice.email, people.mike.email]]]);
    });
  });
});
