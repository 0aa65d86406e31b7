/**
 * Konneqt [003] "Data Retention": "Konneqt will retain the PII of support users, including names and email
 * addresses, for 90 days after the termination of the contract." Mail goes in through the real intake path (a
 * DTC's request with a colleague in Cc, an engineer's reply relayed, a colleague who is no DTC refused), then
 * 91 days after Tyrell's contract ended its people are erased: not one of their names or addresses is left in
 * any text, array, JSON or byte column of any table (read from information_schema, not a list), while Wallace,
 * 89 days after its end, is untouched. A run aborted between batches is finished by the next; a further run
 * changes nothing.
 */
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { erasePersonalData, retentionStatus } from "../../src/retention/personal-data.js";
import { refreshCaseSla } from "../../src/scheduler/case-sla.js";
import type { Db } from "../../src/store/database.js";
import { getOrganizationByName, setAccountContact, setContractTerm, setOrganizationEngineer } from "../../src/store/repos/organizations.js";
import * as schema from "../../src/store/schema/index.js";
import { at, e2eBackends, requestMail, staffMail, startDriver, type Driver, type People } from "./driver.js";
import { SUPPORT } from "../support/desk.js";

const LUCAS = { email: "lucas@tyrell.example", name: "Lucas Souza", timeZone: "America/Sao_Paulo" };
const ANA = { email: "ana.lima@tyrell.example", name: "Ana Lima" }; // a colleague, no DTC
const RAFA = { email: "rafaela@wallace.example", name: "Rafaela Costa", timeZone: "America/Sao_Paulo" };
const TYRELL = { name: "Tyrell", policyId: "konneqt-basic", domain: "tyrell.example", timeZone: "America/Sao_Paulo", requester: LUCAS };
const WALLACE = { name: "Wallace", policyId: "konneqt-basic", domain: "wallace.example", timeZone: "America/Sao_Paulo", requester: RAFA };
// Tyrell's seeded second DTC is "Second Contact" <second.dtc@tyrell.example> (driver.seedOrg).
const TYRELL_VALUES = [LUCAS.email, LUCAS.name, ANA.email, ANA.name, "second.dtc@tyrell.example", "Lucas", "Souza"]
// (Every seeded organization's second DTC is called "Second Contact", so that name is not Tyrell's alone.);
const WALLACE_VALUES = [RAFA.email, RAFA.name];

// Tyrell's last day is Tue 31 Mar 2026: the contract terminates at 1 Apr 00:00 GMT-3 = 03:00Z, and the data is due
// 90 days later, 30 Jun 03:00Z. Wallace's last day is Thu 2 Apr: due 2 Jul 03:00Z. On 1 Jul 03:00Z Tyrell is 91 days
// past its termination, Wallace 89.
const NOW = at("2026-07-01T03:00:00Z");

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? (r as T[]) : ((r as { rows: T[] }).rows ?? []));

/** Every column that can hold text: text, varchar, arrays, json(b), bytea — as information_schema lists them. */
async function textColumns(db: Db): Promise<Array<{ table: string; column: string; type: string }>> {
  const r = await db.execute(sql`select table_name as "table", column_name as "column", data_type as "type" from information_schema.columns
    where table_schema = current_schema() and data_type in ('text', 'character varying', 'character', 'ARRAY', 'json', 'jsonb', 'bytea', 'USER-DEFINED')
    order by table_name, ordinal_position`);
  return rowsOf(r);
}

/** Where in the database any of `values` occurs (case-insensitive): "table.column: value" for each hit. */
async function findAnywhere(db: Db, values: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const c of await textColumns(db)) {
    const col = sql.identifier(c.column);
    const asText = c.type === "bytea" ? sql`encode(${col}, 'escape')` : sql`${col}::text`;
    for (const v of values) {
      const r = rowsOf<{ n: number | string }>(await db.execute(sql`select count(*) as n from ${sql.identifier(c.table)} where position(${v.toLowerCase()} in lower(${asText})) > 0`));
      if (Number(r[0]?.n ?? 0) > 0) hits.push(`${c.table}.${c.column}: ${v}`);
    }
  }
  return hits;
}

/** Every row of every table as text, to tell whether a run changed anything. */
async function dump(db: Db): Promise<string> {
  const tables = rowsOf<{ t: string }>(await db.execute(sql`select table_name as t from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`));
  const parts: string[] = [];
  for (const { t } of tables) {
    if (t.startsWith("__drizzle")) continue;
    const r = rowsOf<{ j: string }>(await db.execute(sql`select coalesce(string_agg(x::text, E'\n' order by x::text), '') as j from ${sql.identifier(t)} x`));
    parts.push(`${t}:\n${r[0]?.j ?? ""}`);
  }
  return parts.join("\n");
}

const mailWithCc = (m: { subject: string; date: number; body: string }) =>
  [
    `From: ${LUCAS.name} <${LUCAS.email}>`,
    `To: Support <${SUPPORT}>`,
    `Cc: ${ANA.name} <${ANA.email}>`,
    `Subject: ${m.subject}`,
    `Date: ${new Date(m.date).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <retention-${m.date}@tyrell.example>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "",
    m.body,
    "",
  ].join("\r\n");

describe.each(e2eBackends())("Konneqt personal-data retention on %s", (backend) => {
  let d: Driver;
  let people: People;
  const SUBJECT = "Nightly sync stops after 1,000 records";
  const slaOf = async (orgName: string) => {
    const org = await getOrganizationByName(d.db, orgName);
    return d.db
      .select({ number: schema.cases.number, status: schema.cases.status, severity: schema.cases.severity, openedAt: schema.cases.openedAt, slaState: schema.cases.slaState, nextActionAt: schema.cases.nextActionAt, remindersSent: schema.cases.remindersSent })
      .from(schema.cases)
      .where(eq(schema.cases.organizationId, org!.id))
      .orderBy(schema.cases.number);
  };
  let slaBefore: Awaited<ReturnType<typeof slaOf>>;
  /** Each Tyrell case's SLA evaluated again from its whole trail at NOW, as the scheduler would. */
  const evaluations = async () => {
    const org = await getOrganizationByName(d.db, "Tyrell");
    const ids = (await d.db.select({ id: schema.cases.id }).from(schema.cases).where(eq(schema.cases.organizationId, org!.id)).orderBy(schema.cases.id)).map((r) => r.id);
    const out: unknown[] = [];
    for (const id of ids) out.push(await d.db.transaction((tx) => refreshCaseSla(tx, d.desk, id, NOW)));
    return JSON.stringify(out);
  };
  let evaluationsBefore: string;
  let wallaceBefore: string;

  beforeAll(async () => {
    d = await startDriver(backend, "konneqt-basic", at("2026-03-02T12:00:00Z"));
    people = await d.reset();
    await d.seedOrg(TYRELL);
    await d.seedOrg(WALLACE);
    const tyrell = (await getOrganizationByName(d.db, "Tyrell"))!;
    await setContractTerm(d.db, tyrell.id, { contractStart: "2025-04-01", contractEnd: "2026-03-31" });
    await setOrganizationEngineer(d.db, tyrell.id, people.alice.id);
    await setAccountContact(d.db, tyrell.id, "Tyrell purchasing <purchasing@tyrell.example>");
    const wallace = (await getOrganizationByName(d.db, "Wallace"))!;
    await setContractTerm(d.db, wallace.id, { contractStart: "2025-04-03", contractEnd: "2026-04-02" });

    // Mon 2 Mar 10:00 GMT-3: Lucas's request, his colleague in Cc; the template names him.
    const opened = at("2026-03-02T13:00:00Z");
    await d.deliver(
      mailWithCc({
        subject: SUBJECT,
        date: opened,
        body: ["Hello support,", "", "Name: Lucas Souza", `Email: ${LUCAS.email}`, "Company: Tyrell", "Case type: Incident", "Priority: P2", "Environment: production",
          "Steps to reproduce: Start the nightly sync; Ana Lima saw it stop after the first 1,000 records.", "", "Thanks,", "Lucas"].join("\r\n"),
      }),
    );
    await d.tick(opened);
    const n = (await d.caseBySubject(SUBJECT)).number;
    const replyAt = at("2026-03-02T15:00:00Z");
    await d.deliver(staffMail({ from: people.alice.email, fromName: people.alice.name, subject: `Re: [Case #${n}] ${SUBJECT}`, date: replyAt, body: "Lucas, we reproduced it.\nAna, thanks for the log.\n" }));
    await d.tick(replyAt);
    // Ana is no DTC: her own request opens no case and is answered politely (a refusal kept with its raw bytes).
    const anaAt = at("2026-03-02T16:00:00Z");
    await d.deliver(requestMail({ from: ANA.email, fromName: ANA.name, subject: "Can I open cases too?", date: anaAt, fields: [["Case type", "Query"]] }));
    await d.tick(anaAt);
    // Wallace's DTC, too.
    const rafaAt = at("2026-03-03T13:00:00Z");
    await d.deliver(requestMail({ from: RAFA.email, fromName: RAFA.name, subject: "Export fails", date: rafaAt, fields: [["Case type", "Incident"], ["Priority", "P3"], ["Environment", "production"]] }));
    await d.tick(rafaAt);
    evaluationsBefore = await evaluations();
    slaBefore = await slaOf("Tyrell");
    wallaceBefore = JSON.stringify(await slaOf("Wallace"));
  }, 240_000); // four mails through intake on a shared, loaded machine
  afterAll(() => d.close());

  it("stores Tyrell's people in many places before the run (the search finds them)", async () => {
    const hits = await findAnywhere(d.db, TYRELL_VALUES);
    for (const place of ["contacts.email", "contacts.name", "messages.from", "messages.cc", "messages.text", "outbox.to", "outbox.text", "case_events.actor", "cases.template_fields", "inbound_rejections.from"]) {
      expect(hits.some((h) => h.startsWith(`${place}:`)), `${place} holds a value before the run`).toBe(true);
    }
  });

  it("status: Tyrell due since 30 Jun 03:00Z, Wallace retained until 2 Jul 03:00Z", async () => {
    const status = await retentionStatus(d.db, d.desk.policies, NOW);
    expect(status.map((s) => [s.name, s.state, s.days, s.dueAt && new Date(s.dueAt).toISOString()])).toEqual([
      ["Tyrell", "due", 90, "2026-06-30T03:00:00.000Z"],
      ["Wallace", "retained", 90, "2026-07-02T03:00:00.000Z"],
    ]);
  });

  it("a dry run lists what would be erased and changes nothing", async () => {
    const before = await dump(d.db);
    const dry = await erasePersonalData(d.db, d.desk.policies, NOW, { dryRun: true });
    expect(dry.map((e) => [e.name, e.people])).toEqual([["Tyrell", 3]]);
    expect(dry[0]!.kinds).toMatchObject({ contacts: 2, cases: 1, messages: 3 });
    expect(dry[0]!.kinds.outbox).toBeGreaterThanOrEqual(2);
    expect(dry[0]!.kinds.rejections).toBe(1);
    expect(await dump(d.db)).toBe(before);
  });

  it("a run aborted between batches leaves the erasure started; the next run finishes it", async () => {
    const stop = new AbortController();
    let batches = 0;
    const crashed = erasePersonalData(d.db, d.desk.policies, NOW, { batchSize: 1, signal: stop.signal, onBatch: () => void (++batches === 3 && stop.abort()) });
    await expect(crashed).rejects.toThrow();
    const [record] = await d.db.select().from(schema.personalDataErasures);
    expect(record).toMatchObject({ completedAt: null, contractEnd: "2026-03-31", retentionDays: 90 });
    expect(await findAnywhere(d.db, [LUCAS.email])).not.toEqual([]);

    const done = await erasePersonalData(d.db, d.desk.policies, NOW, { batchSize: 2 });
    expect(done.map((e) => e.name)).toEqual(["Tyrell"]);
    expect(done[0]!.kinds).toMatchObject({ contacts: 2 });
  });

  it("leaves no name or address of Tyrell's people in any column of any table", async () => {
    expect(await findAnywhere(d.db, TYRELL_VALUES)).toEqual([]);
    expect(await findAnywhere(d.db, ["purchasing@tyrell.example"])).toEqual([]);
    expect(await d.db.select().from(schema.erasurePeople)).toEqual([]);
  });

  it("keeps Tyrell's cases and SLA figures whole, with stable pseudonyms in the history", async () => {
    expect(await slaOf("Tyrell")).toEqual(slaBefore);
    expect(await evaluations()).toBe(evaluationsBefore);
    expect(evaluationsBefore).toContain("met"); // the first response was met by the engineer's reply
    const c = await d.caseBySubject(SUBJECT);
    const [requester] = await d.db.select().from(schema.contacts).where(eq(schema.contacts.id, c.requesterId));
    expect(requester).toMatchObject({ email: expect.stringMatching(/^person-\d+-1@erased\.invalid$/), name: "Erased person 1", dtc: false, active: false });
    const thread = await d.db.select().from(schema.messages).where(eq(schema.messages.caseId, c.id)).orderBy(schema.messages.id);
    expect(thread[0]!.from).toBe(requester!.email);
    expect(thread[0]!.cc).toEqual([expect.stringMatching(/^person-\d+-3@erased\.invalid$/)]);
    expect(thread[0]!.text).toContain("Name: Erased person 1");
    expect(thread.some((m) => m.text?.includes("Erased person 1, we reproduced it."))).toBe(true);
    const events = await d.db.select().from(schema.caseEvents).where(inArray(schema.caseEvents.kind, ["personal-data-erased"]));
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ people: 3, contractEnd: "2026-03-31", days: 90, kinds: { messages: thread.length } });
    const tyrell = (await getOrganizationByName(d.db, "Tyrell"))!;
    expect(tyrell).toMatchObject({ engineerId: null, accountContact: null, domains: [], contractEnd: "2026-03-31" });
  });

  it("leaves Wallace (89 days after its end) untouched", async () => {
    expect(JSON.stringify(await slaOf("Wallace"))).toBe(wallaceBefore);
    const hits = await findAnywhere(d.db, WALLACE_VALUES);
    expect(hits).toEqual(expect.arrayContaining(["contacts.email: " + RAFA.email, "contacts.name: " + RAFA.name, "messages.from: " + RAFA.email]));
  });

  it("a further run changes nothing, and status says Tyrell was erased", async () => {
    const before = await dump(d.db);
    expect(await erasePersonalData(d.db, d.desk.policies, NOW)).toEqual([]);
    expect(await dump(d.db)).toBe(before);
    const status = await retentionStatus(d.db, d.desk.policies, NOW);
    expect(status.find((s) => s.name === "Tyrell")).toMatchObject({ state: "erased", erasedAt: NOW });
  });
});
