/**
 * `support-inbox lifecycle show|notices` as a user runs them: in-process through main(), on PGlite in a fresh
 * working directory and on real Postgres through DATABASE_URL, with a deployment's own policy and lifecycle list
 * in `policies.dirs`. The CLI reads the system clock, so the list's dates are set relative to today: version 1.0's
 * EOS is the first day of the month three months ahead, within [001]'s "not later than half a year before".
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import * as store from "../../src/store/index.js";
import { testDatabases, type TestDatabase } from "../support/db.js";

vi.setConfig({ testTimeout: 120_000 });

const variants = testDatabases().map((t) => ({ name: t.name, postgres: t.name === "postgres" ? t : undefined, toString: () => t.name }));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(["node", "support-inbox", ...args]), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** The first day of the month `months` ahead of today (UTC), YYYY-MM-DD. */
function firstOfMonthAhead(months: number): string {
  const today = new Date();
  const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + months, 1));
  return d.toISOString().slice(0, 10);
}
const plusYears = (day: string, n: number) => `${Number(day.slice(0, 4)) + n}${day.slice(4)}`;

describe.each(variants)("lifecycle CLI on %s", (variant) => {
  const saved = { cwd: process.cwd(), databaseUrl: process.env.DATABASE_URL, config: process.env.SUPPORT_INBOX_CONFIG };
  let dir: string;
  let pg: TestDatabase | undefined;
  const eos = firstOfMonthAhead(3);
  // Six years ago: GA + 4 years (the 5-year floor) is long past, so EOS + 1 year gives EOMS.
  const ga = firstOfMonthAhead(-72);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "si-lifecycle-"));
    process.chdir(dir);
    delete process.env.SUPPORT_INBOX_CONFIG;
    delete process.env.DATABASE_URL;
    await mkdir(join(dir, "policies", "lifecycle"), { recursive: true });
    const basic = await readFile(join(saved.cwd, "policies", "infotecs-basic.yaml"), "utf8");
    await writeFile(join(dir, "policies", "acme.yaml"), basic.replace("id: infotecs-basic", "id: acme-desk").replace("file: lifecycle/infotecs.yaml", "file: lifecycle/acme-versions.yaml"));
    await writeFile(
      join(dir, "policies", "lifecycle", "acme-versions.yaml"),
      `products:\n  - name: Acme Gate\n    versions:\n      - { version: "1.0", ga: ${ga}, eos: ${eos} }\n      - { version: "2.0", ga: ${ga} }\n`,
    );
    await writeFile(join(dir, "support-inbox.yaml"), "policies:\n  dirs: [./policies]\n");
    pg = variant.postgres;
    if (pg) {
      await pg.open();
      process.env.DATABASE_URL = pg.options.url;
    }
    expect(await run("migrate")).toMatchObject({ code: 0 });
    expect(await run("org", "add", "--name", "Acme", "--policy", "acme-desk", "--domain", "acme.example")).toMatchObject({ code: 0 });
    expect(await run("contact", "add", "--email", "dee@acme.example", "--name", "Dee Tee", "--org", "Acme", "--dtc")).toMatchObject({ code: 0 });
    const database = await store.openDatabase(pg ? pg.options : { dataDir: join(dir, "data") });
    try {
      const org = await store.requireOrganizationByName(database.db, "Acme");
      const dee = (await store.getContactByEmail(database.db, "dee@acme.example"))!;
      await store.createCase(database.db, {
        organizationId: org.id, requesterId: dee.id, subject: "Gate drops sessions", caseType: "incident", severity: "2", severitySource: "default",
        policyId: "acme-desk", openedAt: new Date(`${ga}T09:00:00Z`), updatedAt: new Date(`${ga}T09:00:00Z`), status: "open",
        templateFields: { product: "Acme Gate", version: "1.0.3" }, productVersion: "1.0.3",
      });
    } finally {
      await database.close();
    }
  }, 300_000);
  afterAll(async () => {
    process.chdir(saved.cwd);
    if (saved.databaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved.databaseUrl;
    if (saved.config !== undefined) process.env.SUPPORT_INBOX_CONFIG = saved.config;
    await pg?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lifecycle show computes EOMS = EOS + 1 year and EOL = EOMS + 1 year, and says why", async () => {
    const shown = await run("lifecycle", "show", "Acme Gate", "--json");
    expect(shown.code).toBe(0);
    const [list] = JSON.parse(shown.stdout) as Array<{ policies: string[]; rows: Array<{ version: string; eoms: string | null; eol: string | null; period: string; why: { eoms: string } }> }>;
    expect(list!.policies).toEqual(["acme-desk"]);
    expect(list!.rows.map((r) => [r.version, r.eoms, r.eol, r.period])).toEqual([
      ["1.0", plusYears(eos, 1), plusYears(eos, 2), "mainstream"],
      ["2.0", null, null, "mainstream"],
    ]);
    expect(list!.rows[0]!.why.eoms).toBe(`EOS ${eos} + 1 year`);
    const text = await run("lifecycle", "show", "Acme Gate");
    expect(text.stdout).toContain(`EOMS: EOS ${eos} + 1 year`);
  });

  it("lifecycle show names a product it does not know and exits non-zero", async () => {
    const missing = await run("lifecycle", "show", "Nope Gate");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no product "Nope Gate" in the lifecycle lists; they list ');
    expect(missing.stderr).toContain("Acme Gate");
  });

  it("lifecycle notices --dry-run shows the EOS notice due and queues nothing; without it, queues it once", async () => {
    const dry = await run("lifecycle", "notices", "--dry-run", "--json");
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual([{ organization: "Acme", product: "Acme Gate", version: "1.0", milestone: "EOS", date: eos, cases: [1], to: ["dee@acme.example"], status: "would send" }]);
    expect((await run("lifecycle", "notices", "--dry-run")).stdout).toContain("Dry run: nothing was queued.");
    const sent = await run("lifecycle", "notices");
    expect(sent.stdout).toContain("1 notice(s) queued.");
    const again = await run("lifecycle", "notices");
    expect(again.stdout).toContain("0 notice(s) queued.");
    expect(again.stdout).toMatch(/Acme\s+Acme Gate\s+1\.0\s+EOS\s+\S+\s+dee@acme\.example\s+sent before/);
    const database = await store.openDatabase(pg ? pg.options : { dataDir: join(dir, "data") });
    try {
      const rows = (await store.listOutbox(database.db)).filter((r) => r.kind === "lifecycle-notice");
      expect(rows.map((r) => [r.subject, r.to])).toEqual([[`Acme Gate 1.0: End of Sales on ${eos}`, ["dee@acme.example"]]]);
    } finally {
      await database.close();
    }
  });
});
