/**
 * `support-inbox digest preview` run as a user would: the real CLI as a child process, on an embedded
 * database seeded with the sample week under the bundled VANTIQ policy (weekdays, Pacific time).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, listOutbox, digestWasSent } from "../../src/store/index.js";
import { runCli, cleanEnv } from "../cli-start/cli.js";
import { seedWeek } from "./seed.js";

describe("support-inbox digest preview", () => {
  let dir: string;
  let managerId: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "si-digest-cli-"));
    const database = await openDatabase({ dataDir: join(dir, "data") });
    try {
      await migrate(database);
      managerId = (await seedWeek(database.db, "vantiq")).ny.id;
    } finally {
      await database.close();
    }
    await writeFile(join(dir, "support-inbox.yaml"), `database:\n  dataDir: ${join(dir, "data")}\ntimeZone: UTC\n`);
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("prints the subject and text of the day's digest without queuing it", async () => {
    const run = await runCli(["digest", "preview", "--manager", "Nora@Vendor.example", "--date", "2026-03-10"], dir, cleanEnv());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Subject: SLA digest 2026-03-10: \d+ breach(es)?, \d+ at risk\nTo: nora@vendor\.example\n/);
    expect(run.stdout).toContain("SLA digest for 2026-03-10 (as of Tue 10 Mar 2026, 08:00 EDT)");
    // Case #2 (Monday 05:00 Pacific, never answered) missed its 4-business-hour first response.
    expect(run.stdout).toMatch(/^#2\s+Globex\s+[a-z-]+: Severity 2.*first response.*still open/m);

    const database = await openDatabase({ dataDir: join(dir, "data") });
    try {
      expect(await listOutbox(database.db)).toEqual([]);
      expect(await digestWasSent(database.db, managerId, "2026-03-10")).toBe(false);
    } finally {
      await database.close();
    }
  }, 60_000);

  it("--html prints the HTML part: tables, no script, escaped customer text", async () => {
    const run = await runCli(["digest", "preview", "--manager", "nora@vendor.example", "--date", "2026-03-10", "--html"], dir, cleanEnv());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^<!doctype html>/);
    expect(run.stdout).toContain("<table");
    expect(run.stdout).not.toMatch(/<script/i);
    expect(run.stdout).toContain("Acme &amp; &lt;Co&gt;");
  }, 60_000);

  it("an unknown manager or a bad date is a one-line error", async () => {
    const unknown = await runCli(["digest", "preview", "--manager", "nobody@vendor.example"], dir, cleanEnv());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no staff member with email nobody@vendor.example");
    const bad = await runCli(["digest", "preview", "--manager", "nora@vendor.example", "--date", "10/03/2026"], dir, cleanEnv());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--date "10/03/2026" is not a date');
  }, 60_000);
});
