/**
 * The board's queue at scale on real Postgres: 100,000 open cases (and 100,000 closed ones) in a dedicated
 * database `si_bench_board`, then the server time of the queue page: the board's own route handler (session
 * check, searchCases, the engine's evaluation of the page's 50 cases, the HTML) called in-process, for page 1,
 * a deep page, and filtered pages. Prints median and slowest of 15 runs and the CPU per page.
 *
 *   npm run bench:board [-- --smoke]     (--smoke: 2,000 open cases; for CI, figures not judged)
 *
 * Postgres: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test (used only to create the database).
 * Data (generated in SQL, deterministic): 200 organizations alternating VANTIQ and Konneqt Enterprise, a DTC
 * each, 20 engineers. Each open case has its 'opened' and 'acknowledged' events and an SLA snapshot
 * (cases.sla_state, as the engine stores it) whose first-response due time lies between 2 days ago
 * (breached) and 10 days ahead. "Now" is Tuesday 10 March 2026, 13:00 Pacific. Target: < 200 ms per page.
 */
import { execSync } from "node:child_process";
import type { IncomingMessage } from "node:http";
import pino from "pino";
import postgres from "postgres";
import { benchDatabaseUrl, recreateBenchDatabase } from "./bench-database.js";
import { ManualClock } from "../src/clock/clock.js";
import { boardRoutes } from "../src/http/board/routes.js";
import { signSession } from "../src/http/board/session.js";
import { createTemplateRenderer } from "../src/outbox/templates.js";
import { loadBundledPolicies } from "../src/policy/load.js";
import { migrate, openDatabase } from "../src/store/database.js";
import { SUPPORT } from "../harness/support-address.js";

const smoke = process.argv.includes("--smoke");
const OPEN = smoke ? 2_000 : 100_000;
const ORGS = 200;
const RUNS = smoke ? 3 : 15;
const NOW = Date.parse("2026-03-10T20:00:00Z");
const BENCH_DB = "si_bench_board";
const SECRET = "bench-secret";

const benchUrl = benchDatabaseUrl(BENCH_DB);

/** The data set in a few INSERT … SELECT statements: the fastest bulk path there is (no rows cross the wire). */
async function generate(sql: postgres.Sql): Promise<void> {
  const now = new Date(NOW).toISOString();
  await sql`insert into organizations (name, policy_id) select 'Org ' || g, case when g % 2 = 0 then 'vantiq' else 'konneqt-enterprise' end from generate_series(1, ${ORGS}) g`;
  await sql`insert into contacts (email, name, organization_id, dtc) select 'dtc' || g || '@org' || g || '.example', 'DTC ' || g, g, true from generate_series(1, ${ORGS}) g`;
  await sql`insert into staff (email, name, role, time_zone) select 'eng' || g || '@vendor.example', 'Engineer ' || g, 'engineer', 'America/Los_Angeles' from generate_series(1, 20) g`;
  // Twice as many cases as open ones: every other one closed, so the queue must skip them.
  await sql`
    with g as (select g, 1 + (g / 2) % ${ORGS}::int as org, g % 2 = 0 as open, (hashtext(g::text)::bigint + 2147483648) / 4294967296.0 as r
               from generate_series(1, ${2 * OPEN}::int) g)
    insert into cases (organization_id, requester_id, assignee_id, subject, case_type, severity, severity_source, status,
                       policy_id, opened_at, sla_state, next_action_at, updated_at)
    select org, org, case when g % 5 = 0 then null else 1 + g % 20 end, 'Case ' || g || ': the event stream stalls', 'incident',
           case when org % 2 = 0 then (2 + (g / 3) % 3)::text else 'P' || (1 + (g / 3) % 3) end, 'field',
           case when not open then 'closed' when g % 70 = 0 then 'waiting' else 'open' end,
           case when org % 2 = 0 then 'vantiq' else 'konneqt-enterprise' end,
           ${now}::timestamptz - r * interval '20 days',
           case when open then jsonb_build_object('evaluatedAt', ${NOW}::float8, 'next', null, 'metrics', jsonb_build_array(jsonb_build_object(
             'metric', 'initial-response', 'cycle', 0, 'start', ${NOW}::float8 - r * 1728000000, 'targetText', '1 business day',
             'dueAt', ${NOW}::float8 - 172800000 + r * 1036800000,
             'state', case when ${NOW}::float8 - 172800000 + r * 1036800000 < ${NOW}::float8 then 'breached' else 'running' end,
             'metAt', null, 'remainingMs', 0))) end,
           case when open then ${now}::timestamptz + r * interval '10 days' end,
           ${now}::timestamptz - r * interval '1 day'
    from g`;
  await sql`
    insert into case_events (case_id, at, actor, kind, data)
    select id, opened_at, 'system', 'opened', jsonb_build_object('caseType', 'incident', 'severity', severity, 'environment', 'production')
    from cases where status <> 'closed'
    union all select id, opened_at + interval '5 minutes', 'system', 'acknowledged', '{}'::jsonb from cases where status <> 'closed'`;
  // What autovacuum does on a live database: statistics, and the visibility map index-only scans rely on.
  await sql`vacuum analyze`;
}

const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => `${x.toFixed(1)} ms`;
const uptime = () => execSync("uptime").toString().trim();

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
    const [counts] = (await database.db.execute("select count(*)::int as total, count(*) filter (where status in ('open', 'waiting'))::int as open from cases")) as unknown as Array<{ total: number; open: number }>;
    console.log(`data: ${counts!.total} cases, ${counts!.open} open or waiting, generated in ${(ms(t0) / 1000).toFixed(1)} s`);

    const [viewer] = (await database.db.execute("select id from staff order by id limit 1")) as unknown as Array<{ id: number }>;
    const cookie = `board_session=${signSession(SECRET, viewer!.id, NOW + 3_600_000)}`;
    const desk = { policies: loadBundledPolicies(), templates: createTemplateRenderer(), fromAddress: SUPPORT, supportDomain: "vendor.example", caseTokenFormat: "[Case #{number}]", timeZone: "America/Los_Angeles" };
    const route = boardRoutes({ db: database.db, clock: new ManualClock(NOW), desk, logger: pino({ level: "silent" }), baseUrl: () => "http://127.0.0.1", secret: SECRET, sessionHours: 1, refreshSeconds: 30 }).get("/board/*")!;
    const render = async (url: string) => {
      const reply = await route({ url, method: "GET", headers: { cookie } } as unknown as IncomingMessage);
      if (reply.status !== 200) throw new Error(`${url}: ${reply.status} ${String(reply.body).slice(0, 300)}`);
      return String(reply.body);
    };
    const pages: Array<[string, string]> = [
      ["page 1", "/board/"],
      ["page 100 (offset 4,950)", "/board/?page=100"],
      ["one organization", "/board/?org=Org%207"],
      ["breached only", "/board/?breached=1"],
      ["severity 2, assignee eng3", "/board/?severity=2&assignee=eng3%40vendor.example"],
      ["due before in 2 days", `/board/?due-before=${encodeURIComponent(new Date(NOW + 2 * 86_400_000).toISOString())}`],
    ];
    for (const [label, url] of pages) {
      await render(url); // warm: plans, policies, formatters
      const times: number[] = [];
      const cpu0 = process.cpuUsage();
      let rows = 0;
      for (let i = 0; i < RUNS; i++) {
        t0 = performance.now();
        const body = await render(url);
        times.push(ms(t0));
        rows = (body.match(/data-case=/g) ?? []).length;
      }
      const cpu = process.cpuUsage(cpu0);
      const sorted = [...times].sort((a, b) => a - b);
      console.log(
        `${label.padEnd(28)} median ${fmt(sorted[Math.floor(sorted.length / 2)]!)}, slowest ${fmt(sorted[sorted.length - 1]!)}, worker CPU ${fmt((cpu.user + cpu.system) / 1000 / RUNS)} per page, ${rows} rows shown`,
      );
    }
    const plan = (await database.db.execute(
      `explain select number from cases where status in ('open', 'waiting') order by case_next_due_ms(sla_state) asc nulls last, number desc limit 50`,
    )) as unknown as Array<{ "QUERY PLAN": string }>;
    console.log(`plan of page 1's order: ${plan.map((p) => p["QUERY PLAN"].trim()).slice(0, 3).join(" / ")}`);
  } finally {
    await database.close();
  }
  console.log(`uptime after: ${uptime()}`);
}

await main();
