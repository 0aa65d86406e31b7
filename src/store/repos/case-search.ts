/**
 * `case search` and the board's queue: cases matching a CaseSearchFilter, a page at a time, ordered by the
 * next due time of a running SLA metric (soonest first, cases with none last), then newest first.
 *
 * SLA conditions read the engine's stored evaluation (cases.sla_state, refreshed on every change and at every
 * scheduler action): a metric is breached when the engine said so, or when it was running and its due time has
 * passed since. Text is Postgres full-text search ('english': "stalls" finds "stall") over the case's subject and
 * its messages' subjects and bodies, backed by GIN expression indexes (schema/cases.ts, schema/mail.ts) whose
 * expressions the conditions below repeat exactly.
 */
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { CaseSearchFilter } from "../../cases/case-search-filter.js";
import { AppError } from "../../errors.js";
import type { Db } from "../database.js";
import { cases, messages, organizations, staff } from "../schema/index.js";
import { getStaffByEmail } from "./staff.js";

export interface CaseSearchRow {
  number: number;
  subject: string;
  status: string;
  severity: string;
  caseType: string;
  policyId: string;
  organization: string;
  assignee: string | null;
  openedAt: Date;
  /** The soonest-due running metric of the stored evaluation, if any. */
  nextDue: { metric: string; dueAt: number } | null;
  breached: boolean;
}

export interface CaseSearchPage {
  total: number;
  limit: number;
  offset: number;
  rows: CaseSearchRow[];
}

const metricsOf = sql`(case when jsonb_typeof(${cases.slaState}->'metrics') = 'array' then ${cases.slaState}->'metrics' else '[]'::jsonb end)`;
// The soonest due time of a running or breached metric: the function and partial index of migration 0011 (board), so
// page 1 of 100,000 open cases is an index scan, not a sort.
const nextDueAt = sql<number | null>`case_next_due_ms(${cases.slaState})`;
const nextDueMetric = sql<string | null>`(select m->>'metric' from jsonb_array_elements(${metricsOf}) m where m->>'state' in ('running', 'breached') order by (m->>'dueAt')::float8 limit 1)`;
const breachedAt = (now: number) =>
  sql<boolean>`exists (select 1 from jsonb_array_elements(${metricsOf}) m
    where m->>'state' in ('breached', 'breached-met') or (m->>'state' = 'running' and (m->>'dueAt')::float8 <= ${now}::float8))`;

export async function searchCases(db: Db, filter: CaseSearchFilter, now: number): Promise<CaseSearchPage> {
  const where = and(...(await conditions(db, filter, now)));
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(cases).innerJoin(organizations, eq(organizations.id, cases.organizationId)).where(where);
  return { total: count?.n ?? 0, limit: filter.limit, offset: filter.offset, rows: await pageRows(db, where, filter, now, filter.limit) };
}

/**
 * searchCases without the count (the board's queue): counting 100,000 open cases, or testing each one's
 * breach, costs more than the page itself; `more` says whether another page follows.
 */
export async function searchCasesPage(db: Db, filter: CaseSearchFilter, now: number): Promise<{ rows: CaseSearchRow[]; more: boolean }> {
  const rows = await pageRows(db, and(...(await conditions(db, filter, now))), filter, now, filter.limit + 1);
  return { rows: rows.slice(0, filter.limit), more: rows.length > filter.limit };
}

async function pageRows(db: Db, where: SQL | undefined, filter: CaseSearchFilter, now: number, limit: number): Promise<CaseSearchRow[]> {
  const rows = await db
    .select({
      number: cases.number,
      subject: cases.subject,
      status: cases.status,
      severity: cases.severity,
      caseType: cases.caseType,
      policyId: cases.policyId,
      organization: organizations.name,
      assignee: staff.email,
      openedAt: cases.openedAt,
      nextDueAt,
      nextDueMetric,
      breached: breachedAt(now),
    })
    .from(cases)
    .innerJoin(organizations, eq(organizations.id, cases.organizationId))
    .leftJoin(staff, eq(staff.id, cases.assigneeId))
    .where(where)
    .orderBy(sql`${nextDueAt} asc nulls last`, desc(cases.number))
    .limit(limit)
    .offset(filter.offset);
  return rows.map(({ nextDueAt: at, nextDueMetric: metric, ...r }) => ({
    ...r,
    nextDue: at === null || metric === null ? null : { metric, dueAt: Number(at) },
  }));
}

/** The WHERE parts; a named organization or assignee that does not exist is an error, not an empty page. */
async function conditions(db: Db, f: CaseSearchFilter, now: number): Promise<Array<SQL | undefined>> {
  const parts: Array<SQL | undefined> = [];
  if (f.organization !== undefined) {
    const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, f.organization));
    if (!org) throw new AppError("E_NOT_FOUND", `unknown organization "${f.organization}"`);
    parts.push(eq(cases.organizationId, org.id));
  }
  if (f.assignee === "none") parts.push(sql`${cases.assigneeId} is null`);
  else if (f.assignee !== undefined) {
    const member = await getStaffByEmail(db, f.assignee);
    if (!member) throw new AppError("E_NOT_FOUND", `no staff member ${f.assignee}`);
    parts.push(eq(cases.assigneeId, member.id));
  }
  if (f.statuses?.length) parts.push(inArray(cases.status, f.statuses));
  if (f.severity !== undefined) parts.push(sql`lower(${cases.severity}) = lower(${f.severity})`);
  if (f.policy !== undefined) parts.push(eq(cases.policyId, f.policy));
  if (f.breached) parts.push(breachedAt(now));
  if (f.dueBefore !== undefined) parts.push(sql`${nextDueAt} < ${f.dueBefore}::float8`);
  if (f.text !== undefined) parts.push(textMatches(f.text));
  return parts;
}

/** websearch_to_tsquery reads what people type ("heap dump" -oom "out of memory") and never fails on syntax. */
function textMatches(words: string): SQL {
  const query = sql`websearch_to_tsquery('english', ${words})`;
  const inMessages = sql`select ${messages.caseId} from ${messages}
    where to_tsvector('english', coalesce(${messages.subject}, '') || ' ' || coalesce(${messages.text}, '')) @@ ${query}`;
  return sql`(to_tsvector('english', ${cases.subject}) @@ ${query} or ${cases.id} in (${inMessages}))`;
}
