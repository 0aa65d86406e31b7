/**
 * CIQ Premium's named point of contact, end to end on both backends. [002] 5.1: "To provide Customer with 24x7
 * coverage, Customer must identify a dedicated point of contact who will be available to CIQ until the Support
 * Request is resolved. If no dedicated point of contact is identified or if the point of contact is unreachable,
 * Support Services will revert to standard support" — "CIQ may revert to standard business hours response".
 * The named contact is a contact flag (what `contact set --named-contact` sets); `#contact unreachable` on a
 * Saturday Severity 1 moves its first response to Monday, `#contact reachable` brings it back to 24x7.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as store from "../../src/store/index.js";
import { at, e2eBackends, is, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";

const GEORGE = { email: "george@globex.example", name: "George Kim", timeZone: "America/New_York" };
const GLOBEX = { name: "Globex", policyId: "ciq-premium", domain: "globex.example", timeZone: "America/New_York", requester: GEORGE };
const OPENED = at("2026-03-07T08:00:00Z"); // Saturday 7 Mar 2026, 03:00 EST

type Metric = { metric: string; dueAt: number; state: string };
const firstResponse = async (d: Driver) => {
  const c = await d.caseBySubject("Compute nodes hang at boot");
  return (c.slaState as { metrics: Metric[] }).metrics.find((m) => m.metric === "initial-response")!;
};

describe.each(e2eBackends())("CIQ Premium named contact on %s", (backend) => {
  let d: Driver;
  let people: People;
  let n: number;

  beforeAll(async () => {
    d = await startDriver(backend, "ciq-premium", OPENED - 60_000);
    people = await d.reset();
    await d.seedOrg(GLOBEX);
    const { contact } = await store.setNamedContact(d.db, GEORGE.email, true);
    expect(contact.namedContact).toBe(true);
  });
  afterAll(() => d.close());

  const staff = async (when: number, body: string) => {
    await d.deliver(staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${n}] Compute nodes hang at boot`, date: when, body }));
    return d.tick(when);
  };

  it("the flagged contact gives Globex 24x7: Saturday 03:00 Severity 1 is due 03:30", async () => {
    expect((await store.requireOrganizationByName(d.db, "Globex")).entitlements).toEqual(["named-contact"]);
    await d.deliver(
      requestMail({ from: GEORGE.email, fromName: GEORGE.name, subject: "Compute nodes hang at boot", date: OPENED, fields: [["Severity", "Severity 1"], ["Product", "Rocky Linux 9.4"], ["Steps to reproduce", "Reboot a node."]] }),
    );
    const mail = await d.tick(OPENED);
    n = (await d.caseBySubject("Compute nodes hang at boot")).number;
    expect(mail.filter(is.ack(n))[0]!.text).toContain("Our first response is due by Sat 7 Mar 2026, 03:30 EST (30 minutes, around the clock, 24x7).");
  });

  it("#contact unreachable at 03:10 moves the first response to Monday: 10 minutes counted, 50 business minutes from Monday 08:00 EDT", async () => {
    await staff(at("2026-03-07T08:10:00Z"), "#contact unreachable\n");
    const events = (await store.listEvents(d.db, (await d.caseBySubject("Compute nodes hang at boot")).id)).map((e) => [e.kind, e.actor]);
    expect(events).toContainEqual(["contact-unreachable", people.alice.email]);
    expect(new Date((await firstResponse(d)).dueAt).toISOString()).toBe("2026-03-09T12:50:00.000Z"); // Mon 08:50 EDT
    // No breach alert at Saturday 03:30 any more.
    const breach = await d.around(at("2026-03-07T08:30:00Z"), is.breach(n, "first response"));
    expect([breach.before, breach.at]).toEqual([[], []]);
  });

  it("#contact reachable at 05:00 brings 24x7 back: the unreachable Saturday hours did not count, so 20 minutes are left (05:20 EST)", async () => {
    await staff(at("2026-03-07T10:00:00Z"), "#contact reachable\n");
    expect(new Date((await firstResponse(d)).dueAt).toISOString()).toBe("2026-03-07T10:20:00.000Z");
    const breach = await d.around(at("2026-03-07T10:20:00Z"), is.breach(n, "first response"));
    expect([breach.before.length, breach.at.map((m) => m.to)]).toEqual([0, [[people.alice.email, people.mike.email]]]);
  });

  it("#contact with another word is rejected and the engineer told why", async () => {
    const mail = await staff(at("2026-03-07T10:30:00Z"), "#contact sleepy\n");
    const error = mail.filter((m) => m.to.includes(people.alice.email) && m.text.includes("#contact needs unreachable or reachable"));
    expect(error).toHaveLength(1);
  });
});
