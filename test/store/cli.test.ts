/**
 * The directory and case commands, run in-process through main() as a user would type them:
 * on PGlite in a fresh working directory, and on real Postgres through DATABASE_URL when available.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as store from "../../src/store/index.js";
import { cliVariants, useCliWorkspace } from "../support/cli.js";

// Each command opens the embedded database afresh, which is slow on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

describe.each(cliVariants())("store CLI on %s", (variant) => {
  const ws = useCliWorkspace(variant, "cli", { migrate: false });
  const run = ws.run;

  const inspect = ws.withDb;

  it("migrate, then org add/list/show; duplicates and unknown policies are refused", async () => {
    expect(await run("migrate")).toMatchObject({ code: 0, stdout: `migrations applied (${variant.name})\n` });
    const added = await run("org", "add", "--name", "Acme", "--policy", "konneqt-basic", "--tz", "America/Los_Angeles", "--domain", "acme.example", "--entitlement", "24x7-sev1", "--plan", "gold");
    expect(added).toMatchObject({ code: 0, stdout: 'organization "Acme" added (policy konneqt-basic)\n' });
    expect(await run("org", "add", "--name", "Acme", "--policy", "konneqt-basic")).toMatchObject({ code: 1, stderr: expect.stringContaining('organization "Acme" already exists') });
    expect(await run("org", "add", "--name", "Globex", "--policy", "nope")).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown policy "nope"') });
    expect(await run("org", "add", "--name", "Globex", "--policy", "vantiq", "--tz", "Mars/Base")).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown time zone "Mars/Base"') });
    const list = await run("org", "list", "--json");
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: "Acme", policyId: "konneqt-basic", domains: ["acme.example"], entitlements: ["24x7-sev1"], plan: "gold" }]);
    expect((await run("org", "show", "Acme")).stdout).toContain("time zone:     America/Los_Angeles");
    expect(await run("org", "show", "Initech")).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown organization "Initech"') });
  });

  it("org contract: validates the service levels against the organization's policy, stores them, clears them", async () => {
    const good = join(ws.dir, "acme-contract.yaml");
    await writeFile(good, 'serviceLevels:\n  - { caseType: query, targets: { initial-response: 4 business hours } }\n');
    expect(await run("org", "contract", "Acme", good)).toMatchObject({ code: 0, stdout: expect.stringContaining('contract of "Acme" set: 1 service level(s)') });
    const [stored] = await inspect((db) => store.listOrganizations(db));
    expect(stored?.contract).toEqual([{ caseType: "query", severity: null, coverage: "business", targets: { "initial-response": { duration: { unit: "minutes", amount: 240 }, text: "4 business hours" } } }]);
    const bad = join(ws.dir, "bad-contract.yaml");
    await writeFile(bad, 'serviceLevels:\n  - { caseType: incident, severity: "S9", targets: { initial-response: 1 hour } }\n');
    const refused = await run("org", "contract", "Acme", bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${bad}: serviceLevels[0].severity: unknown severity "S9"`);
    expect(await run("org", "contract", "Acme", "--clear")).toMatchObject({ code: 0 });
    expect((await inspect((db) => store.listOrganizations(db)))[0]?.contract).toBeNull();
  });

  it("contact add/list/deactivate with clear errors for unknown organizations and duplicate emails", async () => {
    expect(await run("contact", "add", "--email", "Wile@Acme.example", "--name", "Wile E.", "--org", "Acme", "--dtc")).toMatchObject({
      code: 0,
      stdout: 'contact wile@acme.example added to "Acme" as a DTC\n',
    });
    expect(await run("contact", "add", "--email", "x@initech.example", "--name", "X", "--org", "Initech")).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown organization "Initech"') });
    expect(await run("contact", "add", "--email", "WILE@acme.example", "--name", "Again", "--org", "Acme")).toMatchObject({ code: 1, stderr: expect.stringContaining("a contact with email wile@acme.example already exists") });
    expect(JSON.parse((await run("contact", "list", "--org", "Acme", "--json")).stdout)).toMatchObject([{ email: "wile@acme.example", dtc: true, organization: "Acme" }]);
    expect(await run("contact", "deactivate", "wile@ACME.example")).toMatchObject({ code: 0, stdout: "contact wile@acme.example deactivated\n" });
    expect(await inspect((db) => store.findActiveContactByEmail(db, "wile@acme.example"))).toBeUndefined();
  });

  it("contact import: a bad row gives its line and reason and a non-zero exit, the good rows are applied", async () => {
    const file = join(ws.dir, "contacts.csv");
    await writeFile(file, "email,name,organization,dtc\nroad@acme.example,Road Runner,Acme,yes\nbugs@acme.example,Bugs,Acme,perhaps\n");
    const first = await run("contact", "import", file);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`${file}: 1 created, 0 updated, 0 unchanged, 1 invalid`);
    expect(first.stdout).toContain('line 3: dtc must be true or false (yes/no, 1/0), not "perhaps"');
    expect(first.stderr).toContain("1 invalid row(s) not imported");
    expect((await inspect((db) => store.findActiveContactByEmail(db, "road@acme.example")))?.dtc).toBe(true);

    await writeFile(file, "email,name,organization,dtc\nroad@acme.example,Road Runner,Acme,yes\n");
    expect(await run("contact", "import", file)).toMatchObject({ code: 0, stdout: `${file}: 0 created, 0 updated, 1 unchanged, 0 invalid\n` });
    expect(await run("contact", "import", join(ws.dir, "missing.csv"))).toMatchObject({ code: 1, stderr: expect.stringContaining("missing.csv: no such file") });
  });

  it("staff add/list; a bad role is refused with the allowed roles", async () => {
    expect(await run("staff", "add", "--email", "boss@vendor.example", "--name", "Boss", "--role", "boss")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unknown staff role "boss": use one of engineer, manager, executive'),
    });
    expect(await run("staff", "add", "--email", "Boss@vendor.example", "--name", "Boss", "--role", "manager", "--tz", "Europe/Paris")).toMatchObject({ code: 0 });
    expect(JSON.parse((await run("staff", "list", "--json")).stdout)).toMatchObject([{ email: "boss@vendor.example", role: "manager", timeZone: "Europe/Paris" }]);
  });

  it("org add|set --engineer: an active engineer only; org show prints it; --no-engineer clears it", async () => {
    expect(await run("staff", "add", "--email", "Ada@vendor.example", "--name", "Ada", "--role", "engineer")).toMatchObject({ code: 0 });
    expect(await run("org", "add", "--name", "Initech", "--policy", "vantiq", "--engineer", "ada@vendor.example")).toMatchObject({
      code: 0,
      stdout: 'organization "Initech" added (policy vantiq); new cases go to ada@vendor.example\n',
    });
    expect((await run("org", "show", "Initech")).stdout).toContain("engineer:      ada@vendor.example");
    expect(await run("org", "set", "Acme", "--engineer", "boss@vendor.example")).toMatchObject({ code: 1, stderr: expect.stringContaining("boss@vendor.example is a manager, not an engineer") });
    expect(await run("org", "set", "Acme", "--engineer", "nobody@vendor.example")).toMatchObject({ code: 1, stderr: expect.stringContaining("no staff member nobody@vendor.example") });
    expect(await run("org", "set", "Acme")).toMatchObject({ code: 1, stderr: expect.stringContaining("--engineer EMAIL or --no-engineer") });
    expect(await run("org", "set", "Acme", "--engineer", "ADA@vendor.example")).toMatchObject({ code: 0, stdout: '"Acme": new cases go to ada@vendor.example\n' });
    const ada = await inspect((db) => store.getStaffByEmail(db, "ada@vendor.example"));
    expect((await inspect((db) => store.requireOrganizationByName(db, "Acme"))).engineerId).toBe(ada!.id);
    expect(await run("org", "set", "Initech", "--no-engineer")).toMatchObject({ code: 0, stdout: '"Initech": no engineer of its own\n' });
    expect((await inspect((db) => store.requireOrganizationByName(db, "Initech"))).engineerId).toBeNull();
    // What org add set, org set changes: a repeated flag replaces the list, "none" empties it.
    const changed = await run("org", "set", "Initech", "--tz", "Europe/Berlin", "--plan", "gold", "--domain", "initech.example", "--domain", "Initech.DE", "--closed", "2026-12-24");
    expect(changed).toMatchObject({ code: 0, stdout: '"Initech": timeZone Europe/Berlin; plan gold; domains initech.example, initech.de; closedDates 2026-12-24\n' });
    expect(await run("org", "set", "Initech", "--tz", "Mars/Base")).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown time zone "Mars/Base"') });
    expect(await run("org", "set", "Initech", "--closed", "2026-13-01")).toMatchObject({ code: 1, stderr: expect.stringContaining("--closed") });
    expect(await run("org", "set", "Initech", "--domain", "none", "--plan", "none")).toMatchObject({ code: 0 });
    expect(await inspect((db) => store.requireOrganizationByName(db, "Initech"))).toMatchObject({ timeZone: "Europe/Berlin", plan: null, domains: [], closedDates: ["2026-12-24"] });
  });

  it("case list and case show print the case with its events and messages", async () => {
    expect((await run("case", "list")).stdout).toBe("(none)\n");
    const number = await inspect(async (db) => {
      const org = await store.requireOrganizationByName(db, "Acme");
      const road = (await store.getContactByEmail(db, "road@acme.example"))!;
      const c = await store.createCase(db, {
        organizationId: org.id, requesterId: road.id, subject: "Skates on fire", caseType: "incident", severity: "1", severitySource: "field",
        policyId: "konneqt-basic", openedAt: new Date("2025-03-03T09:00:00Z"), updatedAt: new Date("2025-03-03T09:00:00Z"),
      });
      await store.appendEvent(db, { caseId: c.id, at: c.openedAt, actor: road.email, kind: "opened" });
      await store.insertMessage(db, { caseId: c.id, mailbox: "support", direction: "in", messageId: "<a@acme.example>", from: road.email, subject: "Skates on fire", text: "help", receivedAt: c.openedAt });
      return c.number;
    });
    expect((await run("case", "list", "--status", "open", "--org", "Acme")).stdout).toMatch(new RegExp(`#${number}\\s+open\\s+1\\s+Acme`));
    expect(await run("case", "list", "--status", "pending")).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown status "pending"') });
    const shown = JSON.parse((await run("case", "show", String(number), "--json")).stdout);
    expect(shown).toMatchObject({ number, subject: "Skates on fire", events: [{ kind: "opened" }], thread: [{ direction: "received", subject: "Skates on fire", firstLines: ["help"] }] });
    expect((await run("case", "show", `#${number}`)).stdout).toContain(`Case #${number}: Skates on fire`);
    expect(await run("case", "show", "999")).toMatchObject({ code: 1, stderr: expect.stringContaining("no case #999") });
  });
});
