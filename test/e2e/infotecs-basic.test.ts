/**
 * Infotecs Basic end to end. The seed [001] sets no hours and no response times ("fixed in the Agreement"), so
 * the policy ships a calendar and no targets: the acknowledgment says response times are set by the agreement,
 * and no reminder or breach alert is ever sent, however long the case waits (here across a weekend and the
 * U.S. fall-back night, which Moscow does not observe anyway). The engineer's reply is still relayed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, e2eBackends, is, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";

const IVAN = { email: "ivan.petrov@stark.example", name: "Ivan Petrov", timeZone: "Europe/Moscow" };
const STARK = { name: "Stark", policyId: "infotecs-basic", domain: "stark.example", timeZone: "Europe/Moscow", requester: IVAN };
const SUBJECT = "ViPNet Coordinator drops tunnels after update";
const OPENED = at("2026-10-30T14:00:00Z"); // Fri 30 Oct 17:00 MSK

describe.each(e2eBackends())("Infotecs Basic end to end on %s", (backend) => {
  let d: Driver;
  let people: People;
  let n: number;

  beforeAll(async () => {
    d = await startDriver(backend, "infotecs-basic", at("2026-10-30T13:00:00Z"));
    people = await d.reset();
    await d.seedOrg(STARK);
  });
  afterAll(() => d.close());

  it("acknowledges with the severity and says response times are set by the agreement", async () => {
    await d.deliver(
      requestMail({
        from: IVAN.email,
        fromName: IVAN.name,
        subject: SUBJECT,
        date: OPENED,
        fields: [
          ["Severity", "Critical"],
          ["Product", "ViPNet Coordinator HW1000"],
          ["Version", "4.5.2"],
          ["Steps to reproduce", "Install update 4.5.2 and restart; tunnels to branch offices drop within an hour."],
        ],
      }),
    );
    const mail = await d.tick(OPENED);
    n = (await d.caseBySubject(SUBJECT)).number;
    const ack = mail.filter(is.ack(n));
    expect(ack.map((m) => [m.to, m.cc, m.subject])).toEqual([[[IVAN.email], [], `Re: [Case #${n}] ${SUBJECT}`]]);
    expect(ack[0]!.text).toContain("Severity: Critical\n");
    expect(ack[0]!.text).toContain("Response times for this case are set by your support agreement.");
    expect(ack[0]!.text).not.toContain("first response is due");
  });

  it("sends no reminder and no breach alert through the following week", async () => {
    // Every 6 hours from Friday evening to the next Friday: any target would have come due by then.
    for (let t = OPENED + 6 * 3_600_000; t <= at("2026-11-06T14:00:00Z"); t += 6 * 3_600_000) await d.tick(t);
    expect(d.sent.filter(is.anyReminder(n))).toEqual([]);
    expect((await d.caseBySubject(SUBJECT)).nextActionAt).toBeNull();
  });

  it("sends the manager the short 'no breaches' digest with the case counted as open", async () => {
    const digests = d.sent.filter(is.digest("2026-11-06"));
    expect(digests.map((m) => [m.to, m.subject])).toEqual([[[people.mike.email], "SLA digest 2026-11-06: no breaches"]]);
    expect(digests[0]!.text).toContain("No SLA breaches in the last 24 hours, and no case is due before the end of the next business day.\nOpen cases: 1.");
  });

  it("relays the engineer's reply without its commands and sets the case waiting", async () => {
    const replyAt = at("2026-11-06T15:00:00Z");
    await d.deliver(
      staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${n}] ${SUBJECT}`, date: replyAt, body: "#status waiting\nIvan, please send the coordinator's diagnostic archive.\n" }),
    );
    const relays = (await d.tick(replyAt)).filter(is.relay(n));
    expect(relays.map((m) => [m.from, m.to])).toEqual([["support@vendor.example", [IVAN.email]]]);
    expect(relays[0]!.text).toMatch(/^Ivan, please send the coordinator's diagnostic archive\./);
    expect(relays[0]!.text).not.toContain("#status");
    expect(await d.caseBySubject(SUBJECT)).toMatchObject({ status: "waiting" });
  });
});
