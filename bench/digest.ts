/**
 * The daily digest at scale (issue 18), on real Postgres: 1,000,000 cases (100,000 open) generated in SQL
 * in a dedicated database `si_bench_digest`, the rollup backfilled as a first start would (timed), then the
 * digest for one manager built from the rollup and, for comparison, by evaluating every case of its window
 * (the way before issue 18; checked equal). Then the closed history is doubled (another 900,000 cases, the
 * 30-day window twice as dense) and the digest timed again: it should stay flat.
 *
 *   npm run bench:digest [-- --smoke]     (--smoke: 10,000 cases, 1,000 open; seconds; figures not judged)
 *
 * Data: 1,000 VANTIQ organizations (Pacific business hours), VANTIQ severities 1–4 with their first-response
 * targets. Open cases were opened in the last 20 days, 97% answered in time ('staff-replied' one hour in), the
 * rest unanswered (breaches still open); closed cases spread over three years, those in the 30-day window with
 * their trail (opened, acknowledged, answered, closed), and 3% of them answered a day late.
 * Postgres: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test (used only to create the database).
 */
import { execFileSync } from "node:child_process";
import postgres from "postgres";
import { benchDatabaseUrl, recreateBenchDatabase } from "./bench-database.js";
import { ManualClock } from "../src/clock/clock.js";
import { backfillRollup } from "../src/digest/backfill.js";
import { assembleDigest, digestParts } from "../src/digest/build.js";
import { canUseRollup, digestPartsFromRollup } from "../src/digest/from-rollup.js";
import { loadDigestCases } from "../src/digest/load.js";
import { renderDigest } from "../src/digest/render.js";
import { createTemplateRenderer } from "../src/outbox/templates.js";
import { loadBundledPolicies } from "../src/policy/load.js";
import { migrate, openDatabase, type Database } from "../src/store/database.js";

const smoke = process.argv.includes("--smoke");
const TOTAL = smoke ? 10_000 : 1_000_000;
const ORGS = smoke ? 100 : 1_000;
const NOW = Date.parse("2026-03-10T13:00:00Z"); // 09:00 in New York, the manager's digest hour
const BENCH_DB = "si_bench_digest";
const policies = loadBundledPolicies();
const templates = createTemplateRenderer();

const benchUrl = benchDatabaseUrl(BENCH_DB);

const uptime = () => execFileSync("uptime", { encoding: "utf8" }).trim();
const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `count` cases numbered from `first`: every 10th open when `withOpen`, the rest closed over three years. */
async function generateCases(sql: postgres.Sql, first: number, count: number, withOpen: boolean): Promise<void> {
  const now = new Date(NOW).toISOString();
  await sql`
    with g as (select g, 1 + g % ${ORGS}::int as org, ${withOpen} and g % 10 = 0 as open, (hashtext(g::text)::bigint + 2147483648) / 4294967296.0 as r
               from generate_series(${first}::int, ${first + count - 1}::int) g)
    insert into cases (organization_id, requester_id, assignee_id, subject, case_type, severity, severity_source, status,
                       policy_id, opened_at, updated_at)
    select org, org, 1 + g % 20, 'Case ' || g || ': something is wrong', 'incident', (1 + g % 4)::text, 'field',
           case when not open then 'closed' when g % 70 = 0 then 'waiting' else 'open' end, 'vantiq',
           ${now}::timestamptz - case when open then r * interval '20 days' else interval '2 days' + r * interval '3 years' end,
           ${now}::timestamptz - case when open then r * interval '20 days' else r * interval '3 years' end
    from g`;
  await sql`update cases set updated_at = opened_at + interval '2 days' where status = 'closed' and id >= ${first}`;
  // The trails the digest reads: open cases and those closed in its 30-day window (3% answered a day late / not at all).
  await sql`
    insert into case_events (case_id, at, actor, kind, data)
    select id, opened_at, 'system', 'opened', jsonb_build_object('caseType', 'incident', 'severity', severity, 'environment', 'production')
    from cases where id >= ${first} and (status <> 'closed' or updated_at > ${now}::timestamptz - interval '31 days')
    union all select id, opened_at + interval '1 second', 'system', 'acknowledged', '{}'::jsonb
    from cases where id >= ${first} and (status <> 'closed' or updated_at > ${now}::timestamptz - interval '31 days')
    union all select id, opened_at + case when id % 33 = 0 then interval '1 day' else interval '1 hour' end, 'eng1@vendor.example', 'staff-replied', '{"public": true}'::jsonb
    from cases where id >= ${first} and (status = 'closed' and updated_at > ${now}::timestamptz - interval '31 days' or status <> 'closed' and id % 33 <> 0)
    union all select id, updated_at, 'eng1@vendor.example', 'status-changed', '{"status": "closed"}'::jsonb
    from cases where id >= ${first} and status = 'closed' and updated_at > ${now}::timestamptz - interval '31 days'
    union all select id, opened_at + interval '2 hours', 'system', 'status-changed', '{"status": "waiting"}'::jsonb
    from cases where id >= ${first} and status = 'waiting'`;
  await sql`analyze`;
}

async function generate(sql: postgres.Sql): Promise<void> {
  await sql`insert into organizations (name, policy_id) select 'Org ' || g, 'vantiq' from generate_series(1, ${ORGS}) g`;
  await sql`insert into contacts (email, name, organization_id, dtc) select 'dtc' || g || '@org' || g || '.example', 'DTC ' || g, g, true from generate_series(1, ${ORGS}) g`;
  await sql`insert into staff (email, name, role, time_zone) select 'eng' || g || '@vendor.example', 'Engineer ' || g, 'engineer', 'America/Los_Angeles' from generate_series(1, 20) g`;
  await sql`insert into staff (email, name, role, time_zone) values ('m1@vendor.example', 'M1', 'manager', 'America/New_York')`;
  await generateCases(sql, 1, TOTAL, true);
}

/** next_action_at as the worker keeps it (the scheduler's index), set by evaluating the open cases once: part of the seed. */
async function indexOpenCases(database: Database): Promise<void> {
  const { cases } = await loadDigestCases(database.db, policies, NOW);
  // The digest's own evaluation carries each metric's due time: the earliest one still running is the next action.
  const rows = cases.flatMap((c) => {
    const due = c.metrics.filter((m) => m.state === "running" && m.dueAt > NOW).map((m) => m.dueAt);
    return due.length && c.id !== undefined ? [[c.id, new Date(Math.min(...due)).toISOString()] as const] : [];
  });
  const sql = postgres(benchUrl, { max: 1, onnotice: () => {} });
  try {
    for (let i = 0; i < rows.length; i += 10_000) {
      const part = rows.slice(i, i + 10_000);
      await sql`update cases set next_action_at = v.at::timestamptz from (select unnest(${part.map((r) => r[0])}::int[]) as id, unnest(${part.map((r) => r[1])}::text[]) as at) v where cases.id = v.id`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function timeDigests(database: Database, label: string): Promise<void> {
  const zone = "America/New_York";
  if (!(await canUseRollup(database.db, NOW))) throw new Error("the rollup does not cover now: backfill not done?");
  const fast: number[] = [];
  let data;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const { parts } = await digestPartsFromRollup(database.db, policies, NOW);
    data = assembleDigest({ zone, now: NOW }, parts);
    renderDigest(templates, data);
    fast.push(ms(t0));
  }
  const t0 = performance.now();
  const { cases } = await loadDigestCases(database.db, policies, NOW);
  const old = assembleDigest({ zone, now: NOW }, digestParts(cases, NOW));
  const slow = ms(t0);
  const same = JSON.stringify(old) === JSON.stringify(data);
  console.log(`${label}: digest from the rollup ${fmt(median(fast))} (median of 3; first ${fmt(fast[0]!)}); by evaluating all ${cases.length} cases of the window ${fmt(slow)}; same digest: ${same ? "yes" : "NO"}`);
  console.log(`  ${data!.breaches.length} breaches, ${data!.atRisk.length} at risk, ${data!.openTotal} open, attainment 30 days ${data!.attainmentTotal.last30.met}/${data!.attainmentTotal.last30.total}`);
  if (!same) throw new Error("the digest from the rollup differs from the evaluation of every case");
}

async function main(): Promise<void> {
  console.log(`uptime before: ${uptime()}`);
  await recreateBenchDatabase(BENCH_DB);
  const database = await openDatabase({ url: benchUrl, dataDir: "memory://" });
  const sql = postgres(benchUrl, { max: 1, onnotice: () => {} });
  try {
    await migrate(database);
    let t0 = performance.now();
    await generate(sql);
    await indexOpenCases(database);
    const count = async () => (await sql`select count(*)::int as total, count(*) filter (where status in ('open', 'waiting'))::int as open from cases`)[0]!;
    let c = await count();
    console.log(`data: ${c.total} cases, ${c.open} open, generated in ${(ms(t0) / 1000).toFixed(1)} s`);

    t0 = performance.now();
    const cpu = process.cpuUsage();
    let evaluated = 0;
    for (;;) {
      const p = await backfillRollup(database.db, policies, new ManualClock(NOW), { budgetMs: 60_000, batch: 5_000 });
      evaluated += p.evaluated;
      if (p.done) break;
    }
    const used = process.cpuUsage(cpu);
    console.log(`rollup backfill (first start): ${evaluated} cases evaluated in ${(ms(t0) / 1000).toFixed(1)} s, ${((used.user + used.system) / 1e3 / Math.max(1, evaluated)).toFixed(2)} ms CPU per case`);
    await timeDigests(database, `${c.total} cases`);

    // Double the closed history: as many closed cases again, the 30-day window twice as dense. Their rollup
    // rows are recorded as the worker would have recorded them (backfill again from where it stands).
    t0 = performance.now();
    const max = Number((await sql`select max(id)::int as max from cases`)[0]!.max);
    await generateCases(sql, max + 1, TOTAL - c.open, false);
    await sql`update sla_rollup_backfill set done_at = null, after_case_id = ${max}`;
    for (;;) if ((await backfillRollup(database.db, policies, new ManualClock(NOW), { budgetMs: 60_000, batch: 5_000 })).done) break;
    c = await count();
    console.log(`history doubled: ${c.total} cases, ${c.open} open (${(ms(t0) / 1000).toFixed(1)} s)`);
    await timeDigests(database, `${c.total} cases`);
  } finally {
    await sql.end({ timeout: 5 });
    await database.close();
  }
  console.log(`uptime after: ${uptime()}`);
}

await main();
