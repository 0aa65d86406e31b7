/**
 * `support-inbox org usage NAME [--year N] [--json]` run as the CLI (in-process through main()) on PGlite and on
 * real Postgres. Issue 13: it "prints allowance, carried over, used, open cases that would count, remaining, and
 * the list of counted cases with their resolution dates". [001] "Basic Support Plan includes resolving of up to
 * 40 Tickets per year" and "If less than 40 Tickets were resolved for the customer, then the remaining number of
 * potential support requests shall be added to the next-year Support Plan": 35 resolved in year one carry 5 over.
 */
import { DateTime } from "luxon";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as store from "../../src/store/index.js";
import { cliVariants, useCliWorkspace } from "../support/cli.js";

vi.setConfig({ testTimeout: 120_000 });

// The CLI reads the real clock: the contract began on the 1st of the month 15 months ago, so today is in year 2.
const start = DateTime.utc().startOf("month").minus({ months: 15 });
const year1Resolved = start.plus({ months: 2, days: 9, hours: 12 }); // noon UTC: the same day in Moscow
const year2Resolved = DateTime.utc().startOf("day").minus({ days: 7 }).plus({ hours: 12 });

describe.each(cliVariants())("org usage (tickets) CLI on %s", (variant) => {
  let counted: number[] = [];
  let open: number;

  const ws = useCliWorkspace(variant, "tickets");
  const run = ws.run;
  beforeAll(async () => {
    expect(await run("org", "add", "--name", "Stark", "--policy", "infotecs-basic", "--contract-start", start.toISODate()!)).toMatchObject({ code: 0 });
    expect(await run("contact", "add", "--email", "ivan@stark.example", "--name", "Ivan", "--org", "Stark", "--dtc")).toMatchObject({ code: 0 });
    await ws.withDb(async (db) => {
      const org = await store.requireOrganizationByName(db, "Stark");
      const ivan = (await store.getContactByEmail(db, "ivan@stark.example"))!;
      const make = async (subject: string, resolvedAt: DateTime | null) => {
        const when = (resolvedAt ?? DateTime.utc()).toJSDate();
        const opened = new Date(when.getTime() - 86_400_000);
        const c = await store.createCase(db, {
          organizationId: org.id, requesterId: ivan.id, subject, caseType: "incident", severity: "2", severitySource: "default",
          policyId: "infotecs-basic", openedAt: opened, updatedAt: when, status: resolvedAt ? "resolved" : "open",
        });
        await store.appendEvent(db, { caseId: c.id, at: opened, actor: ivan.email, kind: "opened", data: { caseType: "incident", severity: "2" } });
        if (resolvedAt) await store.appendEvent(db, { caseId: c.id, at: when, actor: "alice@vendor.example", kind: "status-changed", data: { status: "resolved", from: "open" } });
        return c.number;
      };
      for (let i = 0; i < 35; i++) await make(`Year one ${i + 1}`, year1Resolved);
      counted = [await make("Year two A", year2Resolved), await make("Year two B", year2Resolved), await make("Year two C", year2Resolved)];
      open = await make("Still open", null);
    });
  });

  it("--json gives year 2's allowance (40 + 5 carried over), used, the open case that would count, remaining and the counted cases", async () => {
    const r = await run("org", "usage", "Stark", "--json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.year).toMatchObject({ number: 2, firstDay: start.plus({ years: 1 }).toISODate() });
    const day = year2Resolved.toISODate()!;
    expect(json.tickets).toEqual({ allowance: 45, base: 40, carriedOver: 5, used: 3, openWouldCount: [open], remaining: 42, counted: counted.map((n) => ({ case: n, resolved: day })) });
  });

  it("--year 1 gives the first year: 35 of 40 used, 5 remaining", async () => {
    const json = JSON.parse((await run("org", "usage", "Stark", "--year", "1", "--json")).stdout);
    expect(json.tickets).toMatchObject({ allowance: 40, carriedOver: 0, used: 35, remaining: 5 });
    expect(json.tickets.counted).toHaveLength(35);
    expect(json.tickets.counted[0]).toMatchObject({ resolved: year1Resolved.toISODate() });
  });

  it("the text form prints the same figures for a person", async () => {
    const r = await run("org", "usage", "Stark");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  contract year:   2 (${start.plus({ years: 1 }).toISODate()} to `);
    expect(r.stdout).toContain("  allowance:       45 tickets (40 a year + 5 carried over)\n  used:            3 resolved\n  remaining:       42\n");
    expect(r.stdout).toContain(`  open, to count:  #${open}\n`);
    for (const n of counted) expect(r.stdout).toContain(`    #${n}  resolved ${year2Resolved.toISODate()}\n`);
    expect(await run("org", "usage", "Stark", "--year", "0")).toMatchObject({ code: 1, stderr: expect.stringContaining('--year must be 1 or more, not "0"') });
  });
});
