/**
 * VANTIQ end to end: Mon–Fri 08:00–18:00 Pacific, no holiday set ([000] names none), initial response only.
 * Stories: a Severity 2 on a Friday afternoon across the weekend and the 1 Nov fall-back night (reminders,
 * breach, the engineer's reply, the managers' digests); Thanksgiving is an ordinary business day for VANTIQ;
 * a "Severity 1" on a development environment is downgraded and the acknowledgment says why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, e2eBackends, is, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";

const JANE = { email: "jane.doe@customer.example", name: "Jane Doe", timeZone: "America/Los_Angeles" };
const ACME = { name: "Acme", policyId: "vantiq", domain: "customer.example", timeZone: "America/Los_Angeles", requester: JANE };

function vantiqRequest(subject: string, date: number, severity: string, environment: string) {
  return requestMail({
    from: JANE.email,
    fromName: JANE.name,
    subject,
    date,
    fields: [
      ["Name", JANE.name],
      ["Company", "Acme"],
      ["Email", JANE.email],
      ["Severity", severity],
      ["Environment", environment],
      ["VANTIQ version", "1.41.3"],
      ["Client application", "VANTIQ CLI 1.41.0"],
      ["Namespace(s)", "acme_prod"],
      ["Steps to reproduce", "Open the Operations dashboard; it never finishes loading."],
    ],
  });
}

describe.each(e2eBackends())("VANTIQ end to end on %s", (backend) => {
  let d: Driver;
  let people: People;

  beforeAll(async () => {
    d = await startDriver(backend, "vantiq", at("2026-10-30T21:00:00Z"));
  });
  afterAll(() => d.close());

  describe("Severity 2 on Friday 30 Oct 15:00 PDT, across the weekend and the fall-back night", () => {
    const SUBJECT = "Operations dashboard never loads";
    const OPENED = at("2026-10-30T22:00:00Z"); // Fri 30 Oct 15:00 PDT
    // 4 business hours: Fri 15:00–18:00 PDT = 3 h; Sat, Sun closed (Sun 1 Nov 02:00 PDT falls back to 01:00 PST);
    // Mon 2 Nov 08:00 PST + 1 h = 09:00 PST = 17:00Z.
    const DUE = at("2026-11-02T17:00:00Z");
    // 50 % = 2 h → Fri 17:00 PDT = Sat 00:00Z. 80 % = 192 min = 180 on Friday + 12 → Mon 08:12 PST = 16:12Z.
    const R50 = at("2026-10-31T00:00:00Z");
    const R80 = at("2026-11-02T16:12:00Z");
    let n: number;

    beforeAll(async () => {
      people = await d.reset();
      await d.seedOrg(ACME);
    });

    it("acknowledges the requester (Cc the other DTC) with the due time in her zone, after the weekend and the DST change", async () => {
      await d.deliver(vantiqRequest(SUBJECT, OPENED, "2", "production / public cloud"));
      const mail = await d.tick(OPENED);
      n = (await d.caseBySubject(SUBJECT)).number;
      const acks = mail.filter(is.ack(n));
      expect(acks).toHaveLength(1);
      const ack = acks[0]!;
      expect(ack.to).toEqual([JANE.email]);
      expect(ack.cc).toEqual(["second.dtc@customer.example"]);
      expect(ack.subject).toBe(`Re: [Case #${n}] ${SUBJECT}`);
      expect(ack.text).toContain("Severity: Severity 2 (Significant business impact)\n");
      expect(ack.text).toContain("Our first response is due by Mon 2 Nov 2026, 09:00 PST (4 business hours, weekdays 08:00–18:00 Pacific time).");
    });

    it("reminds the team at 50 % on Friday 17:00 PDT and at 80 % on Monday 08:12 PST", async () => {
      const half = await d.around(R50, is.reminder(n, "first response"));
      expect(half.before).toEqual([]);
      expect(half.at.map((m) => m.to)).toEqual([[people.alice.email]]);
      expect(half.at[0]!.text).toContain("50% of the 4 business hours target has passed; 2 h of business time left.");
      const eighty = await d.around(R80, is.reminder(n, "first response"));
      expect(eighty.before).toEqual([]);
      expect(eighty.at).toHaveLength(1);
      expect(eighty.at[0]!.text).toContain("80% of the 4 business hours target has passed; 48 min of business time left.");
    });

    it("sends Monday's digest with the case at risk", async () => {
      const digest = d.sent.filter(is.digest("2026-11-02"));
      expect(digest.map((m) => [m.to, m.subject])).toEqual([[[people.mike.email], "SLA digest 2026-11-02: 0 breaches, 1 at risk"]]);
      // Due 09:00 PST = 12:00 EST in the manager's zone; the digest went out at the 08:11 PST tick: 49 min left.
      expect(digest[0]!.text).toMatch(new RegExp(`^#${n}\\s+Acme\\s+vantiq: Severity 2 \\(Significant business impact\\)\\s+first response\\s+Mon 2 Nov 2026, 12:00 EST\\s+49 min$`, "m"));
    });

    it("alerts the engineer and the manager at the breach, Monday 09:00 PST", async () => {
      const breach = await d.around(DUE, is.breach(n, "first response"));
      expect(breach.before).toEqual([]);
      expect(breach.at.map((m) => m.to)).toEqual([[people.alice.email, people.mike.email]]);
      expect(breach.at[0]!.text).toContain("SLA BREACH: case " + n + " (Acme, Severity 2 (Significant business impact)) missed its first response target.");
    });

    it("relays the engineer's reply without its commands, and applies them", async () => {
      const replyAt = at("2026-11-02T17:30:00Z"); // Mon 09:30 PST
      await d.deliver(
        staffMail({
          from: people.alice.email,
          fromName: people.alice.name,
          subject: `Re: [Case #${n}] ${SUBJECT}`,
          date: replyAt,
          body: "#assign alice@vendor.example\n#status waiting\nHello Jane,\n\nplease send us the browser console log of the dashboard.\n\nAlice",
        }),
      );
      const relays = (await d.tick(replyAt)).filter(is.relay(n));
      expect(relays.map((m) => [m.from, m.to])).toEqual([["support@vendor.example", [JANE.email]]]);
      expect(relays[0]!.text).toMatch(/^Hello Jane,\n\nplease send us the browser console log of the dashboard\./);
      expect(relays[0]!.text).not.toMatch(/#assign|#status/);
      const c = await d.caseBySubject(SUBJECT);
      expect(c).toMatchObject({ status: "waiting", assigneeId: people.alice.id });
    });

    it("reports the breach, met 30 minutes late, in Tuesday's digest", async () => {
      const mail = await d.tick(at("2026-11-03T13:00:00Z")); // Tue 08:00 EST
      const digest = mail.filter(is.digest("2026-11-03"));
      expect(digest.map((m) => m.subject)).toEqual(["SLA digest 2026-11-03: 1 breach, 0 at risk"]);
      expect(digest[0]!.text).toMatch(
        new RegExp(`^#${n}\\s+Acme\\s+vantiq: Severity 2 \\(Significant business impact\\)\\s+first response\\s+Mon 2 Nov 2026, 12:00 EST\\s+met late\\s+-\\s+30 min$`, "m"),
      );
    });
  });

  describe("Thanksgiving is a business day for VANTIQ; a development Severity 1 is downgraded", () => {
    const OPENED = at("2026-11-26T00:00:00Z"); // Wed 25 Nov 16:00 PST
    let people2: People;

    beforeAll(async () => {
      people2 = await d.reset();
      await d.seedOrg(ACME);
    });

    it("counts Thursday 26 Nov (Thanksgiving) as open time: Severity 3 due Thu 16:00 PST, reminders at 11:00 and 14:00", async () => {
      const subject = "Export of type definitions is slow";
      await d.deliver(vantiqRequest(subject, OPENED, "Severity 3", "production"));
      await d.deliver(vantiqRequest("Dev namespace down", OPENED, "Severity 1", "development"));
      const mail = await d.tick(OPENED);
      const n = (await d.caseBySubject(subject)).number;
      // 1 business day = one full open day = 10 h: Wed 16:00–18:00 = 2 h; Thu 26 Nov 08:00 + 8 h = 16:00 PST.
      const ack = mail.find(is.ack(n))!;
      expect(ack.text).toContain("Our first response is due by Thu 26 Nov 2026, 16:00 PST (1 business day, weekdays 08:00–18:00 Pacific time).");
      // 50 % = 5 h → Thu 11:00 PST = 19:00Z; 80 % = 8 h → Thu 14:00 PST = 22:00Z; breach Thu 16:00 PST = Fri 00:00Z.
      const half = await d.around(at("2026-11-26T19:00:00Z"), is.reminder(n, "first response"));
      expect([half.before.length, half.at.length]).toEqual([0, 1]);
      const eighty = await d.around(at("2026-11-26T22:00:00Z"), is.reminder(n, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-11-27T00:00:00Z"), is.breach(n, "first response"));
      expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[people2.alice.email, people2.mike.email]]]);
    });

    it("downgraded the development Severity 1 to Severity 2 and said why: 4 business hours, Thu 10:00 PST", async () => {
      const n = (await d.caseBySubject("Dev namespace down")).number;
      const ack = d.sent.find(is.ack(n))!;
      expect(ack.text).toContain("Severity: Severity 2 (Significant business impact)\n");
      expect(ack.text).toContain("You asked for Severity 1 (Business-critical).");
      expect(ack.text).toContain("Severity 1 applies only to a VANTIQ production environment, so this request is handled as Severity 2.");
      // Wed 16:00–18:00 = 2 h; Thu 08:00 + 2 h = 10:00 PST.
      expect(ack.text).toContain("Our first response is due by Thu 26 Nov 2026, 10:00 PST (4 business hours, weekdays 08:00–18:00 Pacific time).");
    });
  });
  describe("Severity 1 in production on Saturday 28 Nov 10:00 PST: the 24x7 add-on vs business hours", () => {
    const OPENED = at("2026-11-28T18:00:00Z"); // Sat 10:00 PST
    const ROSA = { email: "rosa@initrode.example", name: "Rosa Diaz", timeZone: "America/Los_Angeles" };

    it("counts wall-clock hours with the add-on (Sat 14:00 PST, breach alert then) and business hours without (Mon 12:00 PST)", async () => {
      const p = await d.reset();
      await d.seedOrg(ACME);
      await d.seedOrg({ name: "Initrode", policyId: "vantiq", domain: "initrode.example", timeZone: "America/Los_Angeles", entitlements: ["24x7-sev1"], requester: ROSA });
      await d.deliver(vantiqRequest("Acme production is down", OPENED, "1", "production"));
      await d.deliver(
        requestMail({
          from: ROSA.email,
          fromName: ROSA.name,
          subject: "Initrode production is down",
          date: OPENED,
          fields: [
            ["Name", ROSA.name],
            ["Company", "Initrode"],
            ["Email", ROSA.email],
            ["Severity", "1"],
            ["Environment", "production"],
            ["VANTIQ version", "1.41.3"],
            ["Client application", "VANTIQ CLI 1.41.0"],
            ["Namespace(s)", "initrode_prod"],
            ["Steps to reproduce", "Every REST call to the namespace answers 503."],
          ],
        }),
      );
      const mail = await d.tick(OPENED);
      const acme = (await d.caseBySubject("Acme production is down")).number;
      const initrode = (await d.caseBySubject("Initrode production is down")).number;
      // Add-on: 4 wall-clock hours → Sat 14:00 PST = 22:00Z. None: Mon 30 Nov 08:00 + 4 business hours = 12:00 PST.
      expect(mail.find(is.ack(initrode))!.text).toContain("Our first response is due by Sat 28 Nov 2026, 14:00 PST (4 hours, around the clock, 24x7).");
      expect(mail.find(is.ack(acme))!.text).toContain("Our first response is due by Mon 30 Nov 2026, 12:00 PST (4 business hours, weekdays 08:00–18:00 Pacific time).");
      const breach = await d.around(at("2026-11-28T22:00:00Z"), is.breach(initrode, "first response"));
      expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[p.alice.email, p.mike.email]]]);
      expect(d.sent.filter(is.anyReminder(acme))).toEqual([]);
    });
  });
});
