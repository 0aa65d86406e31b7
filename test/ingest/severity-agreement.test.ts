/**
 * `sla due` and `ingest --dry-run --json` agree on the severity and the eligibility reason, for every bundled
 * policy, every severity it defines, an environment of production, development or none, and the
 * organization holding none or (where a rule asks for one) all of the policy's entitlements: both go through
 * src/policy/eligibility.ts.
 * The commands run as the CLI runs them (cli-batch.ts: main, one process for the whole table).
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../../src/policy/load.js";
import type { Policy } from "../../src/policy/types.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { createOrganization } from "../../src/store/repos/organizations.js";
import type { Db } from "../../src/store/database.js";
import type { BatchJob, BatchResult } from "./cli-batch.js";
import { ingestTargets } from "./targets.js";

const RUNNER = fileURLToPath(new URL("./cli-batch.ts", import.meta.url));
// The child runs in a temp dir, where "tsx" would not resolve: name the loader by its file.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const T = 240_000;
const policies = [...loadBundledPolicies().values()];

interface Row {
  policy: Policy;
  severity: string;
  environment: "production" | "development" | null;
  entitlements: string[];
  /** The DTC of an organization on this policy with these entitlements. */
  sender: string;
}

function rows(): Row[] {
  return policies.flatMap((policy, p) => {
    // With all the policy's entitlements too where a rule asks for one (Konneqt: P0 for managed deployments).
    const all = policy.entitlements.map((e) => e.id as string);
    const sets = policy.eligibility.some((r) => r.requires.entitlements) ? [[], all] : [[]];
    return sets.flatMap((entitlements, s) =>
      policy.severities.flatMap((level) =>
        (["production", "development", null] as const).map((environment) => ({
          policy, severity: level.id, environment, entitlements, sender: `dtc@org${p}-${s}.example`,
        })),
      ),
    );
  });
}

/** One organization (and its DTC) per policy and entitlement set, as `ingest` finds them. */
async function seed(db: Db, table: Row[]): Promise<void> {
  const seen = new Set<string>();
  for (const row of table) {
    if (seen.has(row.sender)) continue;
    seen.add(row.sender);
    const domain = row.sender.split("@")[1]!;
    const org = await createOrganization(db, { name: domain, policyId: row.policy.id, entitlements: row.entitlements, domains: [domain], timeZone: "UTC" });
    await createContact(db, { email: row.sender, name: "Dana Tech", organizationId: org.id, dtc: true });
  }
}

/** A DTC's request stating the severity (and the environment, when the row has one) in the template. */
function requestMail(row: Row, n: number): string {
  return [
    `From: Dana Tech <${row.sender}>`,
    "To: support@vendor.example",
    "Subject: Gateway stops answering",
    "Date: Tue, 17 Nov 2026 10:00:00 +0000",
    `Message-ID: <agreement-${n}@${row.sender.split("@")[1]}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    `Severity: ${row.severity}`,
    ...(row.environment ? [`Environment: ${row.environment}`] : []),
    "",
    "Every call to the gateway times out since this morning.",
    "",
  ].join("\r\n");
}

function jobs(table: Row[]): BatchJob[] {
  return table.flatMap((row, n) => [
    {
      args: ["sla", "due", "--json", "--policy", row.policy.id, "--severity", row.severity, "--at", "2026-11-17T10:00:00Z",
        ...(row.environment ? ["--environment", row.environment] : []), ...row.entitlements.flatMap((e) => ["--entitlement", e])],
    },
    { args: ["ingest", "--dry-run", "--json"], stdin: requestMail(row, n) },
  ]);
}

async function runBatch(batch: BatchJob[], cwd: string, env: NodeJS.ProcessEnv): Promise<BatchResult[]> {
  const file = join(cwd, "jobs.json");
  await writeFile(file, JSON.stringify(batch));
  const child = spawn(process.execPath, ["--import", TSX, RUNNER, file], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
  if (code !== 0) throw new Error(`cli-batch exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as BatchResult[];
}

// Real Postgres when TEST_DATABASE_URL is set, else PGlite: the agreement does not depend on the database,
// and a PGlite dry run costs a second to open, so the table runs on one of them.
describe.each(ingestTargets().slice(-1))("sla due and ingest --dry-run agree on %s", (target) => {
  const table = rows();
  let results: BatchResult[] = [];

  beforeAll(async () => {
    await target.setup();
    await target.withDb((db) => seed(db, table));
    results = await runBatch(jobs(table), target.dir, target.env);
  }, T);
  afterAll(() => target.teardown());

  it("on the severity and the reason, for every policy, severity, environment and entitlement set", () => {
    const seen = { downgrade: 0, refusal: 0, heldBack: 0, noTargets: 0 };
    table.forEach((row, n) => {
      const due = results[2 * n]!;
      const dry = results[2 * n + 1]!;
      const label = `${row.policy.id} ${row.severity} ${row.environment ?? "no environment"} [${row.entitlements.join(", ")}]`;
      expect({ label, code: dry.code, stderr: dry.stderr }).toEqual({ label, code: 0, stderr: "" });
      const ingest = JSON.parse(dry.stdout) as DryRun;
      if (row.policy.serviceLevels.length === 0) {
        // No targets (Infotecs): `sla due` has no report, but names the severity it would have used.
        seen.noTargets++;
        expect({ label, code: due.code }).toEqual({ label, code: 1 });
        expect(due.stderr, label).toContain(`sets no targets for incident severity ${ingest.severity?.id}`);
        return;
      }
      expect({ label, code: due.code, stderr: due.stderr }).toEqual({ label, code: 0, stderr: "" });
      const report = JSON.parse(due.stdout) as DueJson;
      if (report.refused) seen.refusal++;
      else if (report.severity !== report.requestedSeverity) seen.downgrade++;
      expect({ label, ...whatIngestSays(ingest) }).toEqual({ label, ...whatSlaDueSays(row, report) });
      if (report.needsEnvironment) {
        // The rule held back: the acknowledgment asks for the environment.
        seen.heldBack++;
        expect(ingest.missingFields, label).toContain("environment");
      }
    });
    // The table reaches every kind of outcome, so the agreement is not only on untouched severities.
    expect(Object.values(seen).every((count) => count > 0), JSON.stringify(seen)).toBe(true);
  });
});

interface DryRun {
  outcome: string;
  reason: string;
  severity: { id: string; source: string; reason: string } | null;
  missingFields: string[];
}

interface DueJson {
  refused: boolean;
  requestedSeverity: string;
  severity: string;
  reasons: string[];
  needsEnvironment?: boolean;
}

type Verdict = { outcome: string; severity: string | null; source?: string; reason: string };

function whatIngestSays(dry: DryRun): Verdict {
  if (dry.outcome !== "new-case") return { outcome: dry.outcome, severity: null, reason: dry.reason };
  const { id, source, reason } = dry.severity!;
  return { outcome: dry.outcome, severity: id, source, reason };
}

/** A refusal is the eligibility reason after "ineligible: "; a new case's reason starts with how it was read. */
function whatSlaDueSays(row: Row, due: DueJson): Verdict {
  if (due.refused) return { outcome: "refuse", severity: null, reason: `ineligible: ${due.reasons.join(" ")}` };
  const requested = row.policy.severities.find((s) => s.id === row.severity)!;
  const read = `${requested.name}, from the severity field ("${row.severity}").`;
  return {
    outcome: "new-case",
    severity: due.severity,
    source: due.severity === due.requestedSeverity ? "field" : "downgrade",
    reason: [read, ...due.reasons].join(" "),
  };
}
