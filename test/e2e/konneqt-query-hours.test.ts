/**
 * Konneqt query hours end to end, on both backends. [003] "Queries are subject to maximum hourly Query Support
 * Limits, as specified in the Subscription Order Form. All hours spent by Konneqt in reaching a satisfactory
 * resolution count toward this limit, except for time spent developing a fix for a product, connector,
 * migration script, or documentation where an error or omission is so severe that it prevents the products
 * from being used at even a basic level." Basic: "General Queries 1 Business Day 25 hours".
 * Staff record time by mail (#time) and by `case time` (recordTime, what the CLI calls); at 80% (20 h) and
 * 100% (25 h) the DTCs and the managers get one notice each; over the limit a new Query opens marked
 * over-limit, or is refused when the contract says `queryHours.enforce: refuse`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as store from "../../src/store/index.js";
import { recordTime } from "../../src/correspondence/time.js";
import { at, e2eBackends, is, requestMail, staffMail, startDriver, type Driver, type People, type Sent } from "./driver.js";

const LUCAS = { email: "lucas@sertao.example", name: "Lucas Prado", timeZone: "America/Sao_Paulo" };
const SERTAO = { name: "Sertao Logistica", policyId: "konneqt-basic", domain: "sertao.example", timeZone: "America/Sao_Paulo", requester: LUCAS };

const query = (subject: string, date: number) =>
  requestMail({
    from: LUCAS.email,
    fromName: LUCAS.name,
    subject,
    date,
    fields: [
      ["Case type", "Query"],
      ["Product", "Konneqt Integration Server 4.8"],
      ["Steps to reproduce", "How do we page through more than 1,000 records in the sync API?"],
    ],
  });

const isNotice = (m: Sent) => m.subject.startsWith("Sertao Logistica: ") && m.subject.includes("Query Support Limit");

describe.each(e2eBackends())("Konneqt query hours on %s", (backend) => {
  let d: Driver;
  let people: People;
  let caseNo: number;
  let t = at("2026-03-09T13:00:00Z"); // Monday 10:00 GMT-3
  const next = () => (t += 10 * 60_000);

  beforeAll(async () => {
    d = await startDriver(backend, "konneqt-basic", t);
    people = await d.reset();
    await d.seedOrg(SERTAO);
    const org = await store.requireOrganizationByName(d.db, SERTAO.name);
    await store.setContractTerm(d.db, org.id, { contractStart: "2026-01-01", contractEnd: null });
  });
  afterAll(() => d.close());

  const staffTime = async (body: string) => {
    const when = next();
    await d.deliver(staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${caseNo}] Paging the sync API`, date: when, body }));
    return d.tick(when);
  };

  it("opens a Query within the limit, and #time 19h by mail sends no notice", async () => {
    await d.deliver(query("Paging the sync API", t));
    const mail = await d.tick(t);
    caseNo = (await d.caseBySubject("Paging the sync API")).number;
    expect(mail.filter(is.ack(caseNo))[0]!.text).not.toContain("Query Support Limit");
    expect((await staffTime("#time 19h\n")).filter(isNotice)).toEqual([]);
  });

  it("crossing 80% (20.5 of 25 h) tells the DTCs and the managers once; nocount time and later entries do not repeat it", async () => {
    const mail = await staffTime("#time 1h30m\nStill on it.\n");
    const notices = mail.filter(isNotice);
    expect(notices.map((m) => [m.to, m.cc, m.subject])).toEqual([
      [[LUCAS.email, "second.dtc@sertao.example"], [people.mike.email], "Sertao Logistica: 80% of the Query Support Limit used (20.5 of 25 hours)"],
    ]);
    expect(notices[0]!.text).toContain("4.5 hours left");
    expect(notices[0]!.text).toContain("All hours spent by Konneqt in reaching a satisfactory resolution count toward this limit");
    // The seed's exception: a fix for a defect so severe the product cannot be used is not counted.
    expect((await staffTime("#time 3h nocount\n")).filter(isNotice)).toEqual([]);
    expect((await staffTime("#time 30m\n")).filter(isNotice)).toEqual([]); // 21 h: past 80% already told
    const events = (await store.listEvents(d.db, (await d.caseBySubject("Paging the sync API")).id)).filter((e) => e.kind === "time-recorded");
    expect(events.map((e) => [e.actor, e.data.minutes, e.data.counts])).toEqual([
      [people.alice.email, 1140, true],
      [people.alice.email, 90, true],
      [people.alice.email, 180, false],
      [people.alice.email, 30, true],
    ]);
  });

  it("`case time` reaching 25 h sends the 100% notice once; a correction and re-entry do not send it again", async () => {
    const when = next();
    d.clock.set(when);
    const c = await d.caseBySubject("Paging the sync API");
    const queued = await d.db.transaction((tx) => recordTime(tx, d.desk, c, { minutes: 240, counts: true, note: "call with the customer", actor: "cli" }, when));
    expect(queued).toEqual(["query-hours-notice"]);
    const notices = (await d.tick(when)).filter(isNotice);
    expect(notices.map((m) => m.subject)).toEqual(["Sertao Logistica: Query Support Limit reached (25 of 25 hours)"]);
    expect(notices[0]!.text).toContain("New Query requests are still opened, marked over the limit.");
    expect(notices[0]!.text).toMatch(/case #\d+ {2}3h \(not counted\) {2}by alice@vendor\.example/);
    expect((await staffTime("#time -30m\n")).filter(isNotice)).toEqual([]);
    expect((await staffTime("#time 30m\n")).filter(isNotice)).toEqual([]);
    expect(d.sent.filter(isNotice)).toHaveLength(2);
  });

  it("over the limit, a new Query is opened marked over-limit and its acknowledgment says so", async () => {
    const when = next();
    await d.deliver(query("Another API question", when));
    const mail = await d.tick(when);
    const c = await d.caseBySubject("Another API question");
    const ack = mail.filter(is.ack(c.number));
    expect(ack).toHaveLength(1);
    expect(ack[0]!.text).toContain("This case is over your Query Support Limit: the 25-hour Query Support Limit of your Subscription for contract year 1");
    expect((await store.listEvents(d.db, c.id)).map((e) => e.kind)).toContain("over-limit");
  });

  it("with `enforce: refuse` in the contract, a new Query is refused with that reason and no case is opened", async () => {
    const org = await store.requireOrganizationByName(d.db, SERTAO.name);
    await store.setAgreement(d.db, org.id, { queryHours: { enforce: "refuse" } });
    const when = next();
    await d.deliver(query("A third API question", when));
    const mail = await d.tick(when);
    await expect(d.caseBySubject("A third API question")).rejects.toThrow(/no case/);
    const refusal = mail.filter((m) => m.to.includes(LUCAS.email) && m.subject === "Re: A third API question");
    expect(refusal).toHaveLength(1);
    expect(refusal[0]!.text).toContain("The 25-hour Query Support Limit of your Subscription for contract year 1");
    expect(refusal[0]!.text).toContain("No case has been opened for this message.");
  });
});
