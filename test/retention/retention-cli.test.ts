/**
 * `support-inbox retention status|run` as a user runs them: the real CLI as a child process, on the embedded
 * database and on real Postgres, on today's date (the CLI's clock). Old ended 200 days ago and Recent 10 days
 * ago, both under Konneqt Basic (90 days); Vantiq's policy keeps personal data (no retention period).
 */
import { DateTime } from "luxon";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SystemClock } from "../../src/clock/clock.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { createOrganization } from "../../src/store/repos/organizations.js";
import { contacts } from "../../src/store/schema/index.js";
import { runCli } from "../cli-start/cli.js";
import { ingestTargets } from "../ingest/targets.js";

const T = 60_000;
const daysAgo = (n: number) => DateTime.fromMillis(new SystemClock().now(), { zone: "UTC" }).minus({ days: n }).toISODate()!;

describe.each(ingestTargets())("support-inbox retention on %s", (target) => {
  const cli = (args: string[]) => runCli(["retention", ...args], target.dir, target.env);

  beforeAll(async () => {
    await target.setup();
    await target.withDb(async (db) => {
      for (const [name, policyId, ended] of [["Old", "konneqt-basic", 200], ["Recent", "konneqt-basic", 10], ["Vantiq", "vantiq", 400]] as const) {
        const org = await createOrganization(db, { name, policyId, contractStart: daysAgo(ended + 365), contractEnd: daysAgo(ended), domains: [`${name.toLowerCase()}.example`] });
        await createContact(db, { email: `jo.doe@${name.toLowerCase()}.example`, name: `Jo Doe of ${name}`, organizationId: org.id, dtc: true });
      }
    });
  }, 3 * T);
  afterAll(() => target.teardown());

  it("status --json says when each organization's data is due", async () => {
    const run = await cli(["status", "--json"]);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const rows = JSON.parse(run.stdout) as Array<{ organization: string; state: string; days: number | null }>;
    expect(rows.map((r) => [r.organization, r.state, r.days])).toEqual([
      ["Old", "due", 90],
      ["Recent", "retained", 90],
      ["Vantiq", "kept", null],
    ]);
  }, 2 * T);

  it("run --dry-run lists Old and changes nothing; run erases it; a second run finds nothing due", async () => {
    const dry = await cli(["run", "--dry-run"]);
    expect([dry.code, dry.stderr]).toEqual([0, ""]);
    expect(dry.stdout).toMatch(/^Old \(contract ended \d{4}-\d\d-\d\d, due .*\): would erase 1 person\(s\) — contacts 1$/m);
    const dryJson = JSON.parse((await cli(["run", "--dry-run", "--json"])).stdout) as { dryRun: boolean; personalData: Array<{ name: string; dueAt: string; people: number }> };
    expect(dryJson).toMatchObject({ dryRun: true, personalData: [{ name: "Old", people: 1, dueAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }] });
    expect(await target.withDb((db) => db.select({ email: contacts.email }).from(contacts).where(eq(contacts.email, "jo.doe@old.example")))).toHaveLength(1);

    const run = await cli(["run"]);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toMatch(/^Old .*: erased 1 person\(s\) — .*contacts 1/m);
    const left = await target.withDb((db) => db.select({ email: contacts.email, name: contacts.name }).from(contacts).orderBy(contacts.id));
    expect(left).toEqual([
      { email: expect.stringMatching(/^person-\d+-1@erased\.invalid$/), name: "Erased person 1" },
      { email: "jo.doe@recent.example", name: "Jo Doe of Recent" },
      { email: "jo.doe@vantiq.example", name: "Jo Doe of Vantiq" },
    ]);

    const again = await cli(["run"]);
    expect(again.stdout).toContain("no organization's personal data is due for erasure");
    const status = JSON.parse((await cli(["status", "--json"])).stdout) as Array<{ organization: string; state: string }>;
    expect(status[0]).toMatchObject({ organization: "Old", state: "erased" });
  }, 6 * T);

  it("--help shows an example", async () => {
    expect((await cli(["run", "--help"])).stdout).toContain("support-inbox retention run --dry-run");
  }, 2 * T);
});
