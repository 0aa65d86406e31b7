/**
 * What an Infotecs customer bought, counted and enforced, end to end through the real pipeline (mail in, the
 * worker's tick, mail out read back from the bytes sent):
 *  - [001] "Basic Support Plan includes resolving of up to 40 Tickets per year. If necessary the customer may
 *    order additional services that are charged under SLA": the 41st resolved ticket of a contract year opens a
 *    chargeable case, and the acknowledgment says so; the account contact and the managers are told once.
 *  - A case resolved, reopened by the customer and resolved again counts once.
 *  - [001] "If less than 40 Tickets were resolved for the customer, then the remaining number … shall be added
 *    to the next-year Support Plan": 30 resolved in year one give 50 in year two.
 *  - [001] "Only licensed software can be subject to technical support under this Policy": a DTC of an
 *    organization whose contract ended is refused with the end date; a reply on its old case still threads.
 *  - Business hours "or as agreed": an organization with its own hours gets due times in them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import * as store from "../../src/store/index.js";
import * as schema from "../../src/store/schema/index.js";
import { dryRunRawMessage } from "../../src/inbound/dry-run.js";
import { inboundDeps } from "../support/desk.js";
import { at, e2eBackends, is, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";
import { fields, IVAN, NINA, OSCORP, resolvedHistory as history, STARK, usage as usageOf } from "./infotecs-fixtures.js";

const KLAUS = { email: "klaus@wayne.example", name: "Klaus Weber", timeZone: null };
const WAYNE = { name: "Wayne", policyId: "infotecs-basic", domain: "wayne.example", timeZone: null, requester: KLAUS };
const OLGA = "Olga Smirnova <olga@vendor.example>";

describe.each(e2eBackends())("Infotecs contract and tickets end to end on %s", (backend) => {
  let d: Driver;
  let people: People;
  const resolvedHistory = (org: string, requester: string, count: number, resolvedAt: string) => history(d, org, requester, "infotecs-basic", count, resolvedAt);
  const usage = (org: string, now: number, year?: number) => usageOf(d, org, now, year);

  beforeAll(async () => {
    d = await startDriver(backend, "infotecs-basic", at("2026-06-29T08:00:00Z"));
    people = await d.reset();
    for (const org of [STARK, OSCORP, WAYNE]) await d.seedOrg(org);
    const id = async (name: string) => (await store.requireOrganizationByName(d.db, name)).id;
    await store.setContractTerm(d.db, await id("Stark"), { contractStart: "2026-03-01", contractEnd: null });
    await store.setAccountContact(d.db, await id("Stark"), OLGA);
    await store.setContractTerm(d.db, await id("Oscorp"), { contractStart: "2025-07-01", contractEnd: "2026-06-30" });
    await store.setContractTerm(d.db, await id("Wayne"), { contractStart: "2025-03-01", contractEnd: null });
  });
  afterAll(() => d.close());

  let oscorpCase: number;

  it("opens a case for Oscorp while its contract runs (its last day, 30 June)", async () => {
    const t = at("2026-06-30T10:00:00Z");
    await d.deliver(requestMail({ from: NINA.email, fromName: NINA.name, subject: "Coordinator licence question", date: t, fields: fields("Open the licence page.") }));
    const mail = await d.tick(t);
    oscorpCase = (await d.caseBySubject("Coordinator licence question")).number;
    expect(mail.filter(is.ack(oscorpCase)).map((m) => m.to)).toEqual([[NINA.email]]);
  });

  it("refuses Oscorp's new request once the contract ended, saying when and whom to contact; records it as contract-inactive", async () => {
    const t = at("2026-07-01T07:00:00Z"); // 10:00 Moscow, the day after the last day
    await d.deliver(requestMail({ from: NINA.email, fromName: NINA.name, subject: "Tunnels down again", date: t, fields: fields("Restart the coordinator.") }));
    const mail = await d.tick(t);
    const refusal = mail.filter((m) => m.to.includes(NINA.email) && m.subject === "Re: Tunnels down again");
    expect(refusal).toHaveLength(1);
    expect(refusal[0]!.text).toContain("Our support agreement with Oscorp ended on 2026-06-30, so we cannot open a case for this request.");
    expect(refusal[0]!.text).toContain("To renew or discuss the agreement, please contact support@vendor.example.");
    const rows = await d.db.select().from(schema.inboundRejections).where(eq(schema.inboundRejections.reasonCode, "contract-inactive"));
    expect(rows.map((r) => [r.from, r.disposition, r.detail])).toEqual([[NINA.email, "refused", "the support agreement of Oscorp ended on 2026-06-30"]]);
    expect(await d.db.select().from(schema.cases).where(eq(schema.cases.subject, "Tunnels down again"))).toEqual([]);
  });

  it("ingest --dry-run --json shows the contract state: inactive for Oscorp, active in year 1 with the ticket count for Stark", async () => {
    const deps = inboundDeps(d.db, d.clock, d.desk);
    const mailbox = { name: "support", address: "support@vendor.example", defaultPolicy: "infotecs-basic" };
    const t = at("2026-07-01T07:30:00Z");
    const oscorp = await dryRunRawMessage(deps, mailbox, Buffer.from(requestMail({ from: NINA.email, fromName: NINA.name, subject: "Dry run", date: t, fields: fields("x") })));
    expect(oscorp.json).toMatchObject({ outcome: "refuse", contract: { active: false, start: "2025-07-01", end: "2026-06-30", year: 2 } });
    const stark = await dryRunRawMessage(deps, mailbox, Buffer.from(requestMail({ from: IVAN.email, fromName: IVAN.name, subject: "Dry run", date: t, fields: fields("x") })));
    expect(stark.json).toMatchObject({ outcome: "new-case", contract: { active: true, start: "2026-03-01", end: null, year: 1 }, quota: { year: 1, used: 0, allowance: 40, chargeable: false } });
  });

  it("still threads Nina's reply on the case opened while the contract ran", async () => {
    const t = at("2026-07-01T08:00:00Z");
    await d.deliver(requestMail({ from: NINA.email, fromName: NINA.name, subject: `Re: [Case #${oscorpCase}] Coordinator licence question`, date: t, fields: [], intro: "Here is the screenshot you asked for." }));
    const mail = await d.tick(t);
    expect(mail.filter((m) => m.to.includes(NINA.email))).toEqual([]);
    const onCase = await d.db.select().from(schema.messages).where(eq(schema.messages.caseId, (await d.caseBySubject("Coordinator licence question")).id));
    expect(onCase.filter((m) => m.from === NINA.email).map((m) => m.subject)).toEqual(["Coordinator licence question", `Re: [Case #${oscorpCase}] Coordinator licence question`]);
  });

  let first: number;

  it("opens Stark's 40th ticket of the year as usual; resolved, reopened by a reply and resolved again, it counts once", async () => {
    await resolvedHistory("Stark", IVAN.email, 39, "2026-05-15T09:00:00Z");
    const t = at("2026-07-02T09:00:00Z");
    await d.deliver(requestMail({ from: IVAN.email, fromName: IVAN.name, subject: "Client crashes on start", date: t, fields: fields("Start the client.") }));
    const ack = (await d.tick(t)).filter(is.ack((first = (await d.caseBySubject("Client crashes on start")).number)));
    expect(ack).toHaveLength(1);
    expect(ack[0]!.text).not.toContain("chargeable");
    const subject = `Re: [Case #${first}] Client crashes on start`;
    await d.deliver(staffMail({ from: people.alice.email, fromName: people.alice.name, subject, date: t + 3_600_000, body: "#status resolved\nFixed in 4.5.1.\n" }));
    await d.tick(t + 3_600_000);
    await d.deliver(requestMail({ from: IVAN.email, fromName: IVAN.name, subject, date: t + 7_200_000, fields: [], intro: "It crashes again after the update." }));
    await d.tick(t + 7_200_000);
    expect(await d.caseBySubject("Client crashes on start")).toMatchObject({ status: "open" });
    expect((await usage("Stark", t + 7_200_000)).tickets).toMatchObject({ used: 39, openWouldCount: [first] });
    await d.deliver(staffMail({ from: people.alice.email, fromName: people.alice.name, subject, date: t + 10_800_000, body: "#status resolved\nFixed for good in 4.5.2.\n" }));
    await d.tick(t + 10_800_000);
    const u = (await usage("Stark", t + 10_800_000)).tickets!;
    expect([u.allowance, u.used, u.remaining]).toEqual([40, 40, 0]);
    expect(u.counted.filter((c) => c.case === first)).toEqual([{ case: first, resolved: "2026-07-02" }]);
  });

  it("opens the 41st request as a chargeable case, says so in the acknowledgment, tells Olga and the manager once", async () => {
    const t = at("2026-07-03T09:00:00Z");
    await d.deliver(requestMail({ from: IVAN.email, fromName: IVAN.name, subject: "Need help with a new branch", date: t, fields: fields("Add a branch office.") }));
    const mail = await d.tick(t);
    const n = (await d.caseBySubject("Need help with a new branch")).number;
    const ack = mail.filter(is.ack(n));
    expect(ack).toHaveLength(1);
    expect(ack[0]!.text).toContain(
      "This case is chargeable: the 40 tickets of your support plan for this contract year have been used (40 resolved), so it is handled as an additional service charged under your agreement.",
    );
    const told = mail.filter((m) => m.subject === `[Case #${n}] Chargeable: Stark has used its 40 tickets`);
    expect(told.map((m) => m.to.sort())).toEqual([["mike@vendor.example", "olga@vendor.example"]]);
    await d.tick(t + 60_000);
    expect(d.sent.filter((m) => m.subject.startsWith(`[Case #${n}] Chargeable`))).toHaveLength(1);
  });

  it("carries Wayne's 10 unused tickets of year one into year two: 50", async () => {
    await resolvedHistory("Wayne", KLAUS.email, 30, "2025-09-01T09:00:00Z");
    const year1 = (await usage("Wayne", at("2026-07-03T09:00:00Z"), 1)).tickets!;
    expect([year1.allowance, year1.used, year1.remaining]).toEqual([40, 30, 10]);
    const year2 = await usage("Wayne", at("2026-07-03T09:00:00Z"));
    expect(year2.year).toEqual({ number: 2, firstDay: "2026-03-01", lastDay: "2027-02-28" });
    expect(year2.tickets).toMatchObject({ allowance: 50, base: 40, carriedOver: 10, used: 0, remaining: 50 });
  });

  it("counts Wayne's due times in its own agreed hours (Berlin, 09:00–17:00), not the policy's Moscow week", async () => {
    const wayne = await store.requireOrganizationByName(d.db, "Wayne");
    await store.setAgreement(d.db, wayne.id, { hours: { zone: "Europe/Berlin", week: { mon: [{ from: "09:00", to: "17:00" }], tue: [{ from: "09:00", to: "17:00" }], wed: [{ from: "09:00", to: "17:00" }], thu: [{ from: "09:00", to: "17:00" }], fri: [{ from: "09:00", to: "17:00" }] }, holidays: [], description: "weekdays 09:00–17:00 Berlin time" } });
    // [001] sets no targets ("fixed in the Agreement"): this contract sets 4 business hours.
    await store.setContract(d.db, wayne.id, [{ caseType: "incident", severity: null, coverage: "business", targets: { "initial-response": { duration: { unit: "minutes", amount: 240 }, text: "4 business hours" } } }]);
    const t = at("2026-07-03T14:00:00Z"); // Friday 16:00 in Berlin (17:00 in Moscow)
    await d.deliver(requestMail({ from: KLAUS.email, fromName: KLAUS.name, subject: "Berlin office cannot connect", date: t, fields: fields("Connect from Berlin.") }));
    const mail = await d.tick(t);
    const n = (await d.caseBySubject("Berlin office cannot connect")).number;
    const ack = mail.filter(is.ack(n));
    // One hour on Friday until 17:00, three on Monday from 09:00: Monday 12:00 Berlin (Moscow's 09–18 would give Monday 12:00 MSK = 11:00 Berlin).
    expect(ack[0]!.text).toMatch(/Our first response is due by Mon 6 Jul 2026, 12:00 \S+ \(4 business hours, weekdays 09:00–17:00 Berlin time\)\./);
  });

  it("Premium: flags an emergency request to the managers at once", async () => {
    // [001] "Emergency support – immediate reaction to critical issues (each emergency call is subject to extra charge)".
    await d.seedOrg({ name: "Pym", policyId: "infotecs-premium", domain: "pym.example", timeZone: "Europe/Moscow", requester: { email: "hope@pym.example", name: "Hope Pym", timeZone: null } });
    const t = at("2026-07-04T09:00:00Z");
    await d.deliver(requestMail({ from: "hope@pym.example", fromName: "Hope Pym", subject: "EMERGENCY: payment gateway tunnel down", date: t, fields: fields("All tunnels to the gateway are down.") }));
    const mail = await d.tick(t);
    const n = (await d.caseBySubject("EMERGENCY: payment gateway tunnel down")).number;
    const flagged = mail.filter((m) => m.subject === `[Case #${n}] Emergency request from Pym`);
    expect(flagged.map((m) => m.to)).toEqual([["mike@vendor.example"]]);
    expect(flagged[0]!.text).toContain("The customer asks for Emergency Support (Premium: immediate reaction; each emergency call is subject to extra charge).");
  });
});
