/**
 * Query hours and the named contact from the command line, in-process through main() on PGlite and on real
 * Postgres: `case time N DURATION [--note] [--nocount]`, `org usage` with the query hours used and left and the
 * entries, `org contract` with queryHours.enforce, and `contact add|set --named-contact`.
 * [003] "All hours spent by Konneqt in reaching a satisfactory resolution count toward this limit, except for
 * time spent developing a fix ... so severe that it prevents the products from being used at even a basic level."
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as store from "../../src/store/index.js";
import { cliVariants, useCliWorkspace } from "../support/cli.js";

vi.setConfig({ testTimeout: 120_000 });

describe.each(cliVariants())("query hours and named contact CLI on %s", (variant) => {
  const ws = useCliWorkspace(variant, "hours");
  const run = ws.run;

  const withDb = ws.withDb;

  it("case time records entries with who and the note; org usage shows hours used and left with them; nocount is listed, not counted", async () => {
    expect(await run("org", "add", "--name", "Sertao", "--policy", "konneqt-basic", "--contract-start", "2026-01-01")).toMatchObject({ code: 0 });
    expect(await run("contact", "add", "--email", "lucas@sertao.example", "--name", "Lucas Prado", "--org", "Sertao", "--dtc")).toMatchObject({ code: 0 });
    expect(await run("staff", "add", "--email", "alice@vendor.example", "--name", "Alice", "--role", "engineer")).toMatchObject({ code: 0 });
    const number = await withDb(async (db) => {
      const org = await store.requireOrganizationByName(db, "Sertao");
      const lucas = (await store.getContactByEmail(db, "lucas@sertao.example"))!;
      const at = new Date("2026-06-01T12:00:00Z");
      const c = await store.createCase(db, { organizationId: org.id, requesterId: lucas.id, subject: "Paging", caseType: "query", severity: "P3", severitySource: "default", policyId: "konneqt-basic", openedAt: at, updatedAt: at });
      return c.number;
    });
    expect(await run("case", "time", String(number), "2h", "--note", "reading the sync code", "--by", "alice@vendor.example")).toMatchObject({ code: 0, stdout: `case #${number}: 2h recorded\n` });
    expect(await run("case", "time", String(number), "--", "-30m")).toMatchObject({ code: 0, stdout: `case #${number}: -30m recorded\n` });
    expect(await run("case", "time", String(number), "3h", "--nocount")).toMatchObject({ code: 0, stdout: `case #${number}: 3h recorded (not counted toward query hours)\n` });
    expect(await run("case", "time", String(number), "soon")).toMatchObject({ code: 1, stderr: expect.stringContaining('"soon" is not a duration') });
    expect(await run("case", "time", "999", "1h")).toMatchObject({ code: 1 });

    const usage = await run("org", "usage", "Sertao");
    expect(usage.code).toBe(0);
    expect(usage.stdout).toContain("    limit:         25 h\n    used:          1.5 h (6%)\n    left:          23.5 h\n    not counted:   3 h (nocount)\n");
    expect(usage.stdout).toMatch(new RegExp(`#${number} {2}\\+2 h {2}by alice@vendor\\.example {2}reading the sync code`));
    expect(usage.stdout).toMatch(new RegExp(`#${number} {2}-0\\.5 h {2}by cli`));
    expect(usage.stdout).toMatch(new RegExp(`#${number} {2}\\+3 h nocount {2}by cli`));
    const json = JSON.parse((await run("org", "usage", "Sertao", "--json")).stdout);
    expect(json.queryHours).toMatchObject([{ caseType: "query", hours: 25, usedMinutes: 90, leftMinutes: 1410, notCountedMinutes: 180, enforce: "mark" }]);
  });

  it("org contract stores queryHours (the Order Form's own hours, enforce: refuse), validated against the policy", async () => {
    const file = join(ws.dir, "sertao.yaml");
    await writeFile(file, "queryHours: { limits: { query: 40 }, enforce: refuse }\n");
    expect(await run("org", "contract", "Sertao", file)).toMatchObject({ code: 0 });
    expect(JSON.parse((await run("org", "usage", "Sertao", "--json")).stdout).queryHours).toMatchObject([{ hours: 40, enforce: "refuse" }]);
    await writeFile(file, "queryHours: { limits: { incidents: 40 } }\n");
    expect(await run("org", "contract", "Sertao", file)).toMatchObject({ code: 1, stderr: expect.stringContaining('queryHours.limits.incidents: "incidents" is not a case type of policy konneqt-basic') });
  });

  it("contact add|set --named-contact: one per organization, gives it the named-contact entitlement; refused where the policy has none", async () => {
    expect(await run("contact", "add", "--email", "x@sertao.example", "--name", "X", "--org", "Sertao", "--named-contact")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('policy konneqt-basic of "Sertao" has no named point of contact'),
    });
    expect(await run("org", "add", "--name", "Globex", "--policy", "ciq-premium")).toMatchObject({ code: 0 });
    expect(await run("contact", "add", "--email", "george@globex.example", "--name", "George", "--org", "Globex", "--dtc", "--named-contact")).toMatchObject({
      code: 0,
      stdout: 'contact george@globex.example added to "Globex" as a DTC\ngeorge@globex.example is the named contact of "Globex"\n',
    });
    expect(await run("contact", "add", "--email", "hana@globex.example", "--name", "Hana", "--org", "Globex")).toMatchObject({ code: 0 });
    expect(await run("contact", "set", "hana@globex.example", "--named-contact")).toMatchObject({
      code: 0,
      stdout: 'hana@globex.example is the named contact of "Globex" (was george@globex.example)\n',
    });
    await withDb(async (db) => {
      expect((await store.requireOrganizationByName(db, "Globex")).entitlements).toEqual(["named-contact"]);
      expect((await store.getContactByEmail(db, "george@globex.example"))!.namedContact).toBe(false);
    });
    expect(await run("contact", "set", "hana@globex.example", "--no-named-contact")).toMatchObject({ code: 0 });
    await withDb(async (db) => expect((await store.requireOrganizationByName(db, "Globex")).entitlements).toEqual([]));
  });
});
