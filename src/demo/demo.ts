/**
 * runDemo: the week (run.ts), then the table of cases and where the mail went. Returns what a person
 * would check, for the smoke test and for main.ts.
 */
import type { Db } from "../store/database.js";
import type { Policy } from "../policy/types.js";
import { quotaCasesOf, requireOrganizationByName } from "../store/index.js";
import { organizationZone } from "../entitlements/organization.js";
import { termOf } from "../entitlements/term.js";
import { formatUsage, usageReport } from "../entitlements/usage.js";
import { QUOTA_HISTORY } from "./scenario.js";
import { readdir } from "node:fs/promises";
import type { Logger } from "../log/logger.js";
import { runWeek, type DemoOptions } from "./run.js";
import { renderCaseTable, summarizeCases, type CaseSummary } from "./table.js";

export interface DemoResult {
  cases: CaseSummary[];
  /** Case numbers by script label ("vantiq-dev" → 2). */
  labels: Record<string, number>;
  /** File names in the outbox folder. */
  outboxFiles: string[];
  outboxDir: string;
  digestWired: boolean;
  ticks: number;
  failures: number;
  wallMs: number;
}

export async function runDemo(opts: DemoOptions & { errorLogger: Logger }): Promise<DemoResult> {
  const started = performance.now();
  const run = await runWeek(opts);
  try {
    // The week's cases; Taiga Telecom's earlier tickets (numbered from 9001) show in its usage below.
    const summaries = (await summarizeCases(run.ctx.database.db, run.ctx.policies, run.endedAt)).filter((s) => s.number < QUOTA_HISTORY.firstNumber);
    opts.write("\n── Cases at the end of the week ──");
    for (const line of renderCaseTable(summaries)) opts.write(line);
    opts.write(`\n── support-inbox org usage "${QUOTA_HISTORY.organization}" ──`);
    opts.write(await usageText(run.ctx.database.db, run.ctx.policies, run.endedAt));
    const outboxFiles = (await readdir(run.paths.outbox)).filter((f) => f.endsWith(".eml")).sort();
    const wallMs = Math.round(performance.now() - started);
    opts.write(
      `\n${outboxFiles.length} messages in ${run.paths.outbox} (names: time-kind-case-recipient); database in ${run.paths.dataDir}.` +
        `\n${run.ticks} worker ticks over the week in ${(wallMs / 1000).toFixed(1)} s${run.failures ? `; ${run.failures} job runs FAILED (see stderr)` : ""}.`,
    );
    return {
      cases: summaries,
      labels: Object.fromEntries(run.labels.entries()),
      outboxFiles,
      outboxDir: run.paths.outbox,
      digestWired: run.digestWired,
      ticks: run.ticks,
      failures: run.failures,
      wallMs,
    };
  } finally {
    await run.ctx.close();
  }
}

/** What `org usage` prints for the demo's Infotecs customer at the end of the week. */
async function usageText(db: Db, policies: Map<string, Policy>, now: number): Promise<string> {
  const org = await requireOrganizationByName(db, QUOTA_HISTORY.organization);
  const policy = policies.get(org.policyId)!;
  const cases = (await quotaCasesOf(db, [org.id])).get(org.id) ?? [];
  return formatUsage(usageReport({ organization: org.name, policy, term: termOf(org), agreement: org.agreement, zone: organizationZone(policy, org), cases, now })).trimEnd();
}
