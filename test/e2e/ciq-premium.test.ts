/**
 * CIQ Premium end to end. Severity 1 is 30 minutes around the clock only while the organization has a named
 * point of contact ([002] 5.1); without one, the Standard 1 business hour applies. Business days exclude
 * U.S. bank holidays (us-federal-reserve), so Veterans Day (Wed 11 Nov 2026) is closed.
 * Stories: the same Severity 1 at Saturday 03:00 EST, the night before the spring-forward, for Globex (named
 * contact) and Hooli (none), with the engineer's reply and Sunday's digest; a Severity 3 across Veterans Day.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, e2eBackends, is, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";

const COVERAGE = "weekdays 08:00–18:00 your local time, except U.S. bank holidays; Severity 1 around the clock with a named point of contact";
const GEORGE = { email: "george@globex.example", name: "George Kim", timeZone: "America/New_York" };
const HANNA = { email: "hanna@hooli.example", name: "Hanna Berg", timeZone: "America/New_York" };
const GLOBEX = { name: "Globex", policyId: "ciq-premium", domain: "globex.example", timeZone: "America/New_York", entitlements: ["named-contact"], requester: GEORGE };
const HOOLI = { name: "Hooli", policyId: "ciq-premium", domain: "hooli.example", timeZone: "America/New_York", requester: HANNA };

const request = (who: { email: string; name: string }, subject: string, date: number, severity: string) =>
  requestMail({
    from: who.email,
    fromName: who.name,
    subject,
    date,
    fields: [
      ["Severity", severity],
      ["Product", "Rocky Linux 9.4"],
      ["Steps to reproduce", "Reboot any compute node; it hangs in dracut."],
    ],
  });

describe.each(e2eBackends())("CIQ Premium end to end on %s", (backend) => {
  let d: Driver;
  let people: People;

  beforeAll(async () => {
    d = await startDriver(backend, "ciq-premium", at("2026-03-07T07:00:00Z"));
  });
  afterAll(() => d.close());

  describe("Severity 1 at Saturday 7 Mar 03:00 EST: named contact (24x7) vs none (business hours)", () => {
    const OPENED = at("2026-03-07T08:00:00Z"); // Sat 03:00 EST
    let g: number;
    let h: number;

    beforeAll(async () => {
      people = await d.reset();
      await d.seedOrg(GLOBEX);
      await d.seedOrg(HOOLI);
    });

    it("acknowledges Globex with 30 minutes around the clock, and Hooli with Monday 09:00 EDT", async () => {
      await d.deliver(request(GEORGE, "Globex compute nodes hang at boot", OPENED, "Severity 1"));
      await d.deliver(request(HANNA, "Hooli compute nodes hang at boot", OPENED, "Severity 1"));
      const mail = await d.tick(OPENED);
      g = (await d.caseBySubject("Globex compute nodes hang at boot")).number;
      h = (await d.caseBySubject("Hooli compute nodes hang at boot")).number;
      // Named contact: 30 wall-clock minutes, 24x7 → Sat 03:30 EST.
      const ackG = mail.filter(is.ack(g));
      expect(ackG.map((m) => m.to)).toEqual([[GEORGE.email]]);
      expect(ackG[0]!.text).toContain("Severity: Severity 1 (Critical)\n");
      expect(ackG[0]!.text).toContain("Our first response is due by Sat 7 Mar 2026, 03:30 EST (30 minutes, around the clock, 24x7).");
      // No named contact: 1 business hour from the next opening, Mon 9 Mar 08:00 — EDT since the clocks sprang
      // forward on Sun 8 Mar — so 09:00 EDT = 13:00Z.
      const ackH = mail.filter(is.ack(h));
      expect(ackH.map((m) => m.to)).toEqual([[HANNA.email]]);
      expect(ackH[0]!.text).toContain(`Our first response is due by Mon 9 Mar 2026, 09:00 EDT (1 business hour, ${COVERAGE}).`);
    });

    it("Globex: reminders at 03:15 and 03:24 EST, breach alert at 03:30 EST; Hooli hears nothing on Saturday", async () => {
      const half = await d.around(at("2026-03-07T08:15:00Z"), is.reminder(g, "first response"));
      expect([half.before.length, half.at.map((m) => m.to)]).toEqual([0, [[people.alice.email]]]);
      const eighty = await d.around(at("2026-03-07T08:24:00Z"), is.reminder(g, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-03-07T08:30:00Z"), is.breach(g, "first response"));
      expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[people.alice.email, people.mike.email]]]);
      expect(d.sent.filter(is.anyReminder(h))).toEqual([]);
    });

    it("relays the engineer's reply to Globex without its #assign command", async () => {
      const replyAt = at("2026-03-07T08:40:00Z"); // Sat 03:40 EST: 10 minutes late
      await d.deliver(
        staffMail({
          from: people.alice.email,
          fromName: people.alice.name,
          subject: `Re: [Case #${g}] Globex compute nodes hang at boot`,
          date: replyAt,
          body: "#assign alice@vendor.example\nGeorge, I am on it: please join the bridge at the number below.\n",
        }),
      );
      const relays = (await d.tick(replyAt)).filter(is.relay(g));
      expect(relays.map((m) => [m.from, m.to])).toEqual([["support@vendor.example", [GEORGE.email]]]);
      expect(relays[0]!.text).toMatch(/^George, I am on it: please join the bridge at the number below\./);
      expect(relays[0]!.text).not.toContain("#assign");
      expect(await d.caseBySubject("Globex compute nodes hang at boot")).toMatchObject({ assigneeId: people.alice.id, status: "open" });
    });

    it("Saturday's digest (08:00 EST) reports Globex's breach met 10 minutes late and Hooli's first response at risk", async () => {
      const digest = (await d.tick(at("2026-03-07T13:00:00Z"))).filter(is.digest("2026-03-07"));
      expect(digest.map((m) => [m.to, m.subject])).toEqual([[[people.mike.email], "SLA digest 2026-03-07: 1 breach, 1 at risk"]]);
      expect(digest[0]!.text).toMatch(new RegExp(`^#${g}\\s+Globex\\s+ciq-premium: Severity 1 \\(Critical\\)\\s+first response\\s+Sat 7 Mar 2026, 03:30 EST\\s+met late\\s+-\\s+10 min$`, "m"));
      // Hooli's next business day is Monday: 1 business hour left, due 09:00 EDT.
      expect(digest[0]!.text).toMatch(new RegExp(`^#${h}\\s+Hooli\\s+ciq-premium: Severity 1 \\(Critical\\)\\s+first response\\s+Mon 9 Mar 2026, 09:00 EDT\\s+1 h$`, "m"));
    });

    it("Sunday's digest (08:00 EDT): the breach is older than 24 hours, but counts in the attainment (0 % of 1)", async () => {
      const digest = (await d.tick(at("2026-03-08T12:00:00Z"))).filter(is.digest("2026-03-08"));
      expect(digest.map((m) => m.subject)).toEqual(["SLA digest 2026-03-08: 0 breaches, 1 at risk"]);
      expect(digest[0]!.text).toContain("No SLA breaches in the last 24 hours.");
      expect(digest[0]!.text).toMatch(/^ciq-premium: Severity 1 \(Critical\)\s+0 %\s+1\s+0 %\s+1$/m);
    });

    it("Hooli: reminders at Mon 08:30 and 08:48 EDT, breach alert at 09:00 EDT", async () => {
      // 50 % = 30 min after the 08:00 EDT opening = 12:30Z; 80 % = 48 min = 12:48Z; due 13:00Z.
      const half = await d.around(at("2026-03-09T12:30:00Z"), is.reminder(h, "first response"));
      expect([half.before.length, half.at.length]).toEqual([0, 1]);
      const eighty = await d.around(at("2026-03-09T12:48:00Z"), is.reminder(h, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-03-09T13:00:00Z"), is.breach(h, "first response"));
      expect([breach.before.length, breach.at.length]).toEqual([0, 1]);
    });
  });

  describe("Severity 3 on Tue 10 Nov 16:30 EST, across Veterans Day (banks closed)", () => {
    it("is due Thu 12 Nov 10:30 EST; reminders at Thu 08:30 and 09:42; breach at 10:30", async () => {
      people = await d.reset();
      await d.seedOrg(HOOLI);
      const subject = "Slow NFS mounts after upgrade";
      const opened = at("2026-11-10T21:30:00Z"); // Tue 16:30 EST
      await d.deliver(request(HANNA, subject, opened, "3"));
      const mail = await d.tick(opened);
      const n = (await d.caseBySubject(subject)).number;
      // 4 business hours: Tue 16:30–18:00 = 1.5 h; Wed 11 Nov Veterans Day, a Federal Reserve holiday;
      // Thu 12 Nov 08:00 + 2.5 h = 10:30 EST = 15:30Z. 50 % = 2 h → Thu 08:30 EST; 80 % = 192 min = 90 + 102
      // → Thu 09:42 EST.
      expect(mail.find(is.ack(n))!.text).toContain(`Our first response is due by Thu 12 Nov 2026, 10:30 EST (4 business hours, ${COVERAGE}).`);
      const half = await d.around(at("2026-11-12T13:30:00Z"), is.reminder(n, "first response"));
      expect([half.before.length, half.at.length]).toEqual([0, 1]);
      const eighty = await d.around(at("2026-11-12T14:42:00Z"), is.reminder(n, "first response"));
      expect([eighty.before.length, eighty.at.length]).toEqual([0, 1]);
      const breach = await d.around(at("2026-11-12T15:30:00Z"), is.breach(n, "first response"));
      expect([breach.before.length, breach.at.length]).toEqual([0, 1]);
    });
  });
});
