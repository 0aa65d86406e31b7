/**
 * Scheduler and digest benchmark on real Postgres: 1,000,000 cases (100,000 open) in a dedicated
 * database `si_bench`, then the time of a scheduler tick when nothing is due, of a tick with 1,000 due
 * cases (evaluation, rendering and queuing included), and of building one daily digest.
 *
 *   npm run bench:scheduler [-- --smoke]     (--smoke: 10,000 cases, 1,000 open, 10 due; for CI)
 *
 * Postgres: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test (used only to create si_bench).
 * Data (generated in SQL, deterministic): 1,000 organizations alternating the VANTIQ (Pacific) and Konneqt
 * Enterprise (Eastern) policies, a DTC each, 20 engineers and 3 managers. Every 10th case is open (opened
 * within the last 60 days, next action 1 h to 10 days ahead, 'opened' + 'acknowledged' events); the others
 * are closed, opened over three years, and those closed within the last 30 days (the digest's window)
 * carry their full trail. The due cases are VANTIQ Severity 2 cases opened 2 h 10 min ago, whose 50 %
 * reminder of the 4-business-hour first response has just come due: one reminder each.
 * "Now" is Tuesday 10 March 2026, 13:00 Pacific. Targets: idle ≤ 20 ms, 1,000 due ≤ 500 ms on a quiet machine.
 * The digest here is built by evaluating every case of its window (there is no rollup history in this data):
 * the path before the rollup, kept as a reference; bench:digest measures the worker's digest from the rollup.
 */
import { execFileSync } from "node:child_process";
import postgres from "postgres";
import { benchDatabaseUrl, recreateBenchDatabase } from "./bench-database.js";
import { ManualClock } from "../src/clock/clock.js";
import { buildDigest } from "../src/digest/build.js";
import { loadDigestCases } from "../src/digest/load.js";
import { renderDigest } from "../src/digest/render.js";
import { createTemplateRenderer } from "../src/outbox/templates.js";
import { loadBundledPolicies } from "../src/policy/load.js";
import { migrate, openDatabase, type Database } from "../src/store/database.js";
import { schedulerTick } from "../src/scheduler/tick.js";
import type { Desk } from "../src/desk.js";
import { SUPPORT } from "../harness/support-address.js";

const smoke = process.argv.includes("--smoke");
const TOTAL = smoke ? 10_000 : 1_000_000;
const ORGS = smoke ? 100 : 1_000;
const DUE = smoke ? 10 : 1_000;
const NOW = Date.parse("2026-03-10T20:00:00Z");
const BENCH_DB = "si_bench";

const benchUrl = benchDatabaseUrl(BENCH_DB);

/** The whole data set in a handful of INSERT … SELECT statements (ids are 1..n in a fresh database). */
async function generate(sql: postgres.Sql): Promise<void> {
  const now = new Date(NOW).toISOString();
  await sql`insert into organizations (name, policy_id) select 'Org ' || g, case when g % 2 = 0 then 'vantiq' else 'konneqt-enterprise' end from generate_series(1, ${ORGS}) g`;
  await sql`insert into contacts (email, name, organization_id, dtc) select 'dtc' || g || '@org' || g || '.example', 'DTC ' || g, g, true from generate_series(1, ${ORGS}) g`;
  await sql`insert into staff (email, name, role, time_zone) select 'eng' || g || '@vendor.example', 'Engineer ' || g, 'engineer', 'America/Los_Angeles' from generate_series(1, 20) g`;
  await sql`insert into staff (email, name, role, time_zone) values ('m1@vendor.example', 'M1', 'manager', 'America/New_York'), ('m2@vendor.example', 'M2', 'manager', 'America/Los_Angeles'), ('m3@vendor.example', 'M3', 'manager', null)`;
  // org = 1 + (g / 10) % ORGS spreads open cases (every 10th) over both policies.
  await sql`
    with g as (select g, 1 + (g / 10) % ${ORGS}::int as org, g % 10 = 0 as open, (hashtext(g::text)::bigint + 2147483648) / 4294967296.0 as r
               from generate_series(1, ${TOTAL}::int) g)
    insert into cases (organization_id, requester_id, assignee_id, subject, case_type, severity, severity_source, status,
                       policy_id, opened_at, next_action_at, updated_at)
    select org, org, 1 + g % 20, 'Case ' || g || ': something is wrong', 'incident',
           case when org % 2 = 0 then (2 + (g / 3) % 3)::text else 'P' || (1 + (g / 3) % 3) end, 'field',
           case when not open then 'closed' when g % 70 = 0 then 'waiting' else 'open' end,
           case when org % 2 = 0 then 'vantiq' else 'konneqt-enterprise' end,
           ${now}::timestamptz - case when open then r * interval '60 days' else interval '1 day' + r * interval '3 years' end,
           case when open then ${now}::timestamptz + interval '1 hour' + r * interval '10 days' end,
           ${now}::timestamptz - case when open then r * interval '1 day' else r * interval '3 years' end
    from g`;
  await sql`
    update cases set severity = '2', status = 'open', opened_at = ${now}::timestamptz - interval '130 minutes',
                     next_action_at = ${now}::timestamptz - interval '10 minutes'
    where id in (select id from cases where status = 'open' and policy_id = 'vantiq' order by id limit ${DUE})`;
  await sql`update cases set updated_at = opened_at + interval '2 days' where status = 'closed'`;
  await sql`
    insert into case_events (case_id, at, actor, kind, data)
    select id, opened_at, 'system', 'opened', jsonb_build_object('caseType', 'incident', 'severity', severity, 'environment', 'production')
    from cases where status <> 'closed' or updated_at > ${now}::timestamptz - interval '30 days'
    union all select id, opened_at + interval '5 minutes', 'system', 'acknowledged', '{}'::jsonb
    from cases where status <> 'closed' or updated_at > ${now}::timestamptz - interval '30 days'
    union all select id, opened_at + interval '1 hour', 'eng1@vendor.example', 'staff-replied', '{"public": true}'::jsonb
    from cases where status = 'closed' and updated_at > ${now}::timestamptz - interval '30 days'
    union all select id, updated_at, 'eng1@vendor.example', 'status-changed', '{"status": "closed"}'::jsonb
    from cases where status = 'closed' and updated_at > ${now}::timestamptz - interval '30 days'
    union all select id, opened_at + interval '1 day', 'system', 'status-changed', '{"status": "waiting"}'::jsonb
    from cases where status = 'waiting'`;
  await sql`analyze`;
}

function desk(): Desk {
  return {
    policies: loadBundledPolicies(),
    templates: createTemplateRenderer(),
    fromAddress: SUPPORT,
    supportDomain: "vendor.example",
    caseTokenFormat: "[Case #{number}]",
    timeZone: "UTC",
  };
}

const silent = { info: () => {}, error: (o: object) => console.error(o) };
const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;

async function timeDigest(database: Database, d: Desk): Promise<{ took: number; cases: number; breaches: number }> {
  const t0 = performance.now();
  const { cases } = await loadDigestCases(database.db, d.policies, NOW);
  const data = buildDigest({ cases, zone: "America/New_York", now: NOW });
  renderDigest(d.templates, data);
  return { took: ms(t0), cases: cases.length, breaches: data.breaches.length };
}

const uptime = () => execFileSync("uptime", { encoding: "utf8" }).trim();

async function main(): Promise<void> {
  console.log(`uptime before: ${uptime()}`);
  await recreateBenchDatabase(BENCH_DB);
  const database = await openDatabase({ url: benchUrl, dataDir: "memory://" });
  try {
    await migrate(database);
    const sql = postgres(benchUrl, { max: 1, onnotice: () => {} });
    let t0 = performance.now();
    try {
      await generate(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
    const [counts] = (await database.db.execute(
      "select count(*)::int as total, count(*) filter (where status in ('open', 'waiting'))::int as open, (select count(*)::int from case_events) as events from cases",
    )) as unknown as Array<{ total: number; open: number; events: number }>;
    console.log(`data: ${counts!.total} cases, ${counts!.open} open, ${counts!.events} events, generated in ${(ms(t0) / 1000).toFixed(1)} s`);

    const d = desk();
    const clock = new ManualClock(NOW - 15 * 60_000); // before the due cases' reminders
    const idle: number[] = [];
    for (let i = 0; i < 21; i++) {
      t0 = performance.now();
      const s = await schedulerTick({ db: database.db, desk: d, clock, logger: silent });
      idle.push(ms(t0));
      if (s.cases !== 0) throw new Error(`idle tick found ${s.cases} due cases`);
    }
    console.log(`idle tick: ${fmt(median(idle))} (median of ${idle.length}; first ${fmt(idle[0]!)})`);

    clock.set(NOW);
    t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const due = await schedulerTick({ db: database.db, desk: d, clock, logger: silent });
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `tick with ${due.cases} due cases: ${fmt(ms(t0))} (${due.queued} reminders rendered and queued, ${due.failed} failed; worker CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, ${((cpu.user + cpu.system) / 1000 / Math.max(1, due.cases)).toFixed(2)} ms per case)`,
    );

    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await timeDigest(database, d));
    const last = runs[runs.length - 1]!;
    console.log(
      `digest evaluating every case of the window (reference; the worker's digest reads the rollup: bench:digest): ${fmt(median(runs.map((r) => r.took)))} (median of ${runs.length}; first ${fmt(runs[0]!.took)}; ${last.cases} cases evaluated, ${last.breaches} breaches in 24 h)`,
    );
    console.log(`uptime after: ${uptime()}`);
  } finally {
    await database.close();
  }
}

await main();
