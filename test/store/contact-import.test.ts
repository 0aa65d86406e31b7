/** `contact import` against the database: counts by outcome, line numbers, and a second run changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as store from "../../src/store/index.js";
import type { Db } from "../../src/store/index.js";
import { testDatabases } from "../support/db.js";

const csv = (...rows: string[]) => ["email,name,organization,dtc,timezone,active", ...rows].join("\n") + "\n";

describe.each(testDatabases())("contact CSV import on %s", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
    await store.createOrganization(db, { name: "Acme", policyId: "p" });
    await store.createOrganization(db, { name: "Globex", policyId: "p" });
  });
  afterAll(() => target.close());

  const first = csv(
    "wile@acme.example,Wile E.,Acme,true,America/Los_Angeles,",
    "road@acme.example,Road Runner,Acme,false,,",
    "hank@globex.example,Hank,Globex,yes,,",
    "nobody@initech.example,Nobody,Initech,true,,",
    "broken,No Email,Acme,true,,",
  );

  it("creates the valid rows and reports the invalid ones by line, without stopping", async () => {
    const report = await store.importContactsCsv(db, first, "contacts.csv");
    expect(report).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      invalid: [
        { line: 5, reason: 'unknown organization "Initech"' },
        { line: 6, reason: '"broken" is not an email address' },
      ],
    });
    expect(await store.findActiveContactByEmail(db, "WILE@acme.example")).toMatchObject({ dtc: true, timeZone: "America/Los_Angeles" });
    expect(store.formatImportReport(report, "contacts.csv")).toBe(
      'contacts.csv: 3 created, 0 updated, 0 unchanged, 2 invalid\n  line 5: unknown organization "Initech"\n  line 6: "broken" is not an email address\n',
    );
  });

  it("is idempotent: the same file again changes nothing", async () => {
    const report = await store.importContactsCsv(db, first, "contacts.csv");
    expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await store.listContacts(db)).toHaveLength(3);
  });

  it("updates changed rows (including deactivation and a move to another organization)", async () => {
    const report = await store.importContactsCsv(
      db,
      csv(
        "wile@acme.example,Wile E.,Acme,true,America/Los_Angeles,",
        "road@acme.example,Road Runner,Acme,true,,",
        "HANK@globex.example,Hank Scorpio,Acme,yes,,no",
      ),
      "contacts.csv",
    );
    expect(report).toEqual({ created: 0, updated: 2, unchanged: 1, invalid: [] });
    const acme = await store.requireOrganizationByName(db, "Acme");
    expect(await store.getContactByEmail(db, "hank@globex.example")).toMatchObject({ name: "Hank Scorpio", organizationId: acme.id, active: false });
    expect((await store.getContactByEmail(db, "road@acme.example"))?.dtc).toBe(true);
  });
});
