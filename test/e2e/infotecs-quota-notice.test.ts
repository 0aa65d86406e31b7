/**
 * Issue 13's ticket quota gaps, end to end through the real pipeline (mail in, the worker's tick, mail out):
 *  - "At 80% used, the DTCs and managers get one notice per year": [001] "Basic Support Plan includes resolving
 *    of up to 40 Tickets per year", so the 32nd resolved ticket (32 = 80% of 40) brings one notice to the
 *    organization's DTCs and the manager; the 33rd brings none.
 *  - "a case reclassified as not counting (e.g. `#type rfe` where the policy says so) stops counting": Premium
 *    counts incidents and queries only ([001] feature requests: "the price shall be stipulated separately").
 *  - "The digest shows organizations at or over 80%", and a request from a DTC of an organization whose contract
 *    has ended is "recorded as refused with reason `contract-inactive`, and managers see it in the digest".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as store from "../../src/store/index.js";
import { previewDigest } from "../../src/digest/job.js";
import { at, e2eBackends, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";
import { fields, IVAN, NINA, OSCORP, resolvedHistory as history, STARK, usage as usageOf } from "./infotecs-fixtures.js";

const HOPE = { email: "hope@pym.example", name: "Hope Pym", timeZone: null };
const PYM = { name: "Pym", policyId: "infotecs-premium", domain: "pym.example", timeZone: "Europe/Moscow", requester: HOPE };

describe.each(e2eBackends())("Infotecs ticket quota notices and reclassification on %s", (backend) => {
  let d: Driver;
  let people: People;
  const resolvedHistory = (org: string, requester: string, policyId: string, count: number, resolvedAt: string) => history(d, org, requester, policyId, count, resolvedAt);
  const usage = async (org: string, now: number) => (await usageOf(d, org, now)).tickets!;

  /** A request from `from`, acknowledged, then resolved by Alice's `#status resolved` mail an hour later. */
  async function openAndResolve(from: { email: string; name: string }, subject: string, t: number) {
    await d.deliver(requestMail({ from: from.email, fromName: from.name, subject, date: t, fields: fields("Start the client.") }));
    await d.tick(t);
    const n = (await d.caseBySubject(subject)).number;
    await d.deliver(staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${n}] ${subject}`, date: t + 3_600_000, body: "#status resolved\nFixed in 4.5.1.\n" }));
    return { n, mail: await d.tick(t + 3_600_000) };
  }

  const NOTICE = "Stark: 32 of 40 support tickets used";

  beforeAll(async () => {
    d = await startDriver(backend, "infotecs-basic", at("2026-06-29T08:00:00Z"));
    people = await d.reset();
    for (const org of [STARK, PYM, OSCORP]) await d.seedOrg(org);
    const id = async (name: string) => (await store.requireOrganizationByName(d.db, name)).id;
    await store.setContractTerm(d.db, await id("Stark"), { contractStart: "2026-03-01", contractEnd: null });
    await store.setContractTerm(d.db, await id("Pym"), { contractStart: "2026-03-01", contractEnd: null });
    await store.setContractTerm(d.db, await id("Oscorp"), { contractStart: "2025-07-01", contractEnd: "2026-06-30" });
  });
  afterAll(() => d.close());

  it("sends no notice at 31 of 40 (77.5%)", async () => {
    await resolvedHistory("Stark", IVAN.email, "infotecs-basic", 30, "2026-05-15T09:00:00Z");
    const { mail } = await openAndResolve(IVAN, "Tunnel drops at night", at("2026-07-01T09:00:00Z"));
    expect((await usage("Stark", at("2026-07-01T11:00:00Z"))).used).toBe(31);
    expect(mail.filter((m) => m.subject.includes("support tickets used"))).toEqual([]);
  });

  it("tells Stark's DTCs and the manager once when the 32nd resolution reaches 80%", async () => {
    const { mail } = await openAndResolve(IVAN, "Client crashes on start", at("2026-07-02T09:00:00Z"));
    expect((await usage("Stark", at("2026-07-02T11:00:00Z"))).used).toBe(32);
    const told = mail.filter((m) => m.subject === NOTICE);
    expect(told.map((m) => m.to.sort())).toEqual([["ivan.petrov@stark.example", "mike@vendor.example", "second.dtc@stark.example"]]);
    expect(told[0]!.text).toContain("Stark has used 32 of the 40 tickets of contract year 1.");
  });

  it("does not tell them again at the 33rd resolution of the same contract year", async () => {
    const { mail } = await openAndResolve(IVAN, "Certificate expired", at("2026-07-03T09:00:00Z"));
    expect((await usage("Stark", at("2026-07-03T11:00:00Z"))).used).toBe(33);
    expect(mail.filter((m) => m.subject.includes("support tickets used"))).toEqual([]);
    expect(d.sent.filter((m) => m.subject === NOTICE)).toHaveLength(1);
  });

  it("Premium: a resolved incident reclassified by `#type rfe` stops counting", async () => {
    const subject = "Please add IPv6 tunnels";
    const { n } = await openAndResolve(HOPE, subject, at("2026-07-06T09:00:00Z"));
    const before = await usage("Pym", at("2026-07-06T11:00:00Z"));
    expect([before.used, before.remaining, before.counted.map((c) => c.case)]).toEqual([1, 39, [n]]);
    const t = at("2026-07-06T12:00:00Z");
    await d.deliver(staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${n}] ${subject}`, date: t, body: "#type rfe\n#comment\nThis is a feature request.\n" }));
    await d.tick(t);
    expect(await d.caseBySubject(subject)).toMatchObject({ caseType: "rfe" });
    const after = await usage("Pym", t);
    expect([after.used, after.remaining, after.counted]).toEqual([0, 40, []]);
  });

  it("the manager's digest lists Stark at 33/40 (7 remaining) and counts Oscorp's refused request as contract-inactive", async () => {
    const t = at("2026-07-07T10:00:00Z"); // 06:00 in New York: before Mike's 08:00 digest of the day
    await d.deliver(requestMail({ from: NINA.email, fromName: NINA.name, subject: "Tunnels down again", date: t, fields: fields("Restart the coordinator.") }));
    const mail = await d.tick(t);
    expect(mail.filter((m) => m.to.includes(NINA.email)).map((m) => m.text)).toEqual([expect.stringContaining("Our support agreement with Oscorp ended on 2026-06-30")]);
    const { data, text, html } = await previewDigest(d.db, d.desk, people.mike, t + 3_600_000);
    expect(data.nearQuota).toEqual([{ organization: "Stark", year: 1, used: 33, allowance: 40, remaining: 7 }]);
    expect(text).toContain("ORGANIZATIONS AT OR OVER 80% OF THEIR TICKET QUOTA");
    expect(text).toMatch(/^Stark\s+33\/40\s+7$/m);
    expect(html).toContain("<td>Stark</td><td align=\"right\">33/40</td><td align=\"right\">7</td>");
    expect(data.intake?.refused).toEqual([{ label: "contract-inactive", count: 1 }]);
    expect(text).toMatch(/Refused: +1 \(contract-inactive 1\)/);
  });
});
