/**
 * The contract term and the rest of the contract, set the way a user does it: `org add|set --contract-start
 * --contract-end` and the contract YAML of `org contract`, run in-process through main() on PGlite in a fresh
 * working directory and on real Postgres through DATABASE_URL. Seed [001]: "Only licensed software can be
 * subject to technical support under this Policy", so the desk must know when the agreement runs.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as store from "../../src/store/index.js";
import { cliVariants, useCliWorkspace } from "../support/cli.js";

vi.setConfig({ testTimeout: 120_000 });

describe.each(cliVariants())("contract term CLI on %s", (variant) => {
  const ws = useCliWorkspace(variant, "term");
  const run = ws.run;

  const stark = (): Promise<store.Organization> => ws.withDb((db) => store.requireOrganizationByName(db, "Stark"));

  it("org add refuses a date that is not real and an end before the start", async () => {
    const bad = await run("org", "add", "--name", "Stark", "--policy", "infotecs-basic", "--contract-start", "2025-02-30");
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('--contract-start: "2025-02-30" is not a real date written YYYY-MM-DD') });
    const backwards = await run("org", "add", "--name", "Stark", "--policy", "infotecs-basic", "--contract-start", "2025-03-01", "--contract-end", "2025-02-01");
    expect(backwards).toMatchObject({ code: 1, stderr: expect.stringContaining("--contract-end: the end (2025-02-01) must be after the start (2025-03-01)") });
    const added = await run("org", "add", "--name", "Stark", "--policy", "infotecs-basic", "--contract-start", "2025-03-01", "--contract-end", "2026-02-28");
    expect(added).toMatchObject({ code: 0 });
    expect(await stark()).toMatchObject({ contractStart: "2025-03-01", contractEnd: "2026-02-28" });
  });

  it("org set changes the end alone (checked against the stored start), makes it open-ended, sets the account contact", async () => {
    expect(await run("org", "set", "Stark", "--contract-end", "2025-01-01")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("the end (2025-01-01) must be after the start (2025-03-01)"),
    });
    expect(await run("org", "set", "Stark", "--contract-end", "2027-02-28")).toMatchObject({ code: 0, stdout: 'contract of "Stark": 2025-03-01 to 2027-02-28\n' });
    expect(await run("org", "set", "Stark", "--contract-end", "none", "--account-contact", "Olga Smirnova <olga@vendor.example>")).toMatchObject({
      code: 0,
      stdout: 'contract of "Stark": 2025-03-01 to open-ended\naccount contact of "Stark": Olga Smirnova <olga@vendor.example>\n',
    });
    expect(await stark()).toMatchObject({ contractStart: "2025-03-01", contractEnd: null, accountContact: "Olga Smirnova <olga@vendor.example>" });
    expect(await run("org", "set", "Nobody", "--contract-end", "none")).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown organization "Nobody"') });
  });

  it("org contract reads the term, allowance, carry-over cap and own hours from the contract YAML, validated", async () => {
    const file = join(ws.dir, "stark.yaml");
    await writeFile(
      file,
      [
        "term: { start: 2026-03-01, end: 2027-02-28 }",
        "ticketsPerYear: 60",
        "carryOverCap: 10",
        "hours:",
        "  zone: Europe/Berlin",
        '  week: { weekdays: ["09:00-17:00"] }',
        "  holidays: []",
        "  description: weekdays 09:00–17:00 Berlin time",
        'accountContact: "Olga Smirnova <olga@vendor.example>"',
        "",
      ].join("\n"),
    );
    const set = await run("org", "contract", "Stark", file);
    expect(set).toMatchObject({ code: 0, stdout: expect.stringContaining("term 2026-03-01 to 2027-02-28; 60 tickets a year; carry-over capped at 10; own hours: weekdays 09:00–17:00 Berlin time") });
    expect(await stark()).toMatchObject({
      contractStart: "2026-03-01",
      contractEnd: "2027-02-28",
      agreement: {
        ticketsPerYear: 60,
        carryOverCap: 10,
        hours: { zone: "Europe/Berlin", week: { mon: [{ from: "09:00", to: "17:00" }], fri: [{ from: "09:00", to: "17:00" }] }, holidays: [] },
      },
    });
    await writeFile(file, 'term: { start: 2026-03-01, end: 2026-02-01 }\nhours: { zone: Mars/Base, week: { weekdays: ["17:00-09:00"] }, holidays: [], description: x }\n');
    const refused = await run("org", "contract", "Stark", file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("term.end: the end (2026-02-01) must be after the start (2026-03-01)");
    expect(refused.stderr).toContain('hours.zone: unknown time zone "Mars/Base"');
    expect(refused.stderr).toContain("hours.week.mon[0]: closes (09:00) before it opens (17:00)");
  });

  it("sla due --org shows the contract state at the instant and counts in the organization's own hours", async () => {
    const file = join(ws.dir, "stark-levels.yaml");
    await writeFile(file, [
      "hours:",
      "  zone: Europe/Berlin",
      '  week: { weekdays: ["09:00-17:00"] }',
      "  holidays: []",
      "  description: weekdays 09:00–17:00 Berlin time",
      "serviceLevels:",
      "  - { caseType: incident, targets: { initial-response: 4 business hours } }",
      "",
    ].join("\n"));
    expect(await run("org", "contract", "Stark", file)).toMatchObject({ code: 0 });
    const during = await run("sla", "due", "--policy", "infotecs-basic", "--severity", "critical", "--org", "Stark", "--at", "2026-06-01T10:00:00+02:00", "--json");
    expect(during.stderr).toBe("");
    expect(during.code).toBe(0);
    expect(JSON.parse(during.stdout)).toMatchObject({ contract: { active: true, start: "2026-03-01", end: "2027-02-28", year: 1 }, zone: "Europe/Berlin", lines: [{ metric: "initial-response", dueAt: "2026-06-01T14:00:00+02:00" }] });
    const after = await run("sla", "due", "--policy", "infotecs-basic", "--severity", "critical", "--org", "Stark", "--at", "2027-03-01T10:00:00+01:00");
    expect(after.stdout).toContain("contract: NOT active (2026-03-01 to 2027-02-28, year 2)");
  });
});
