/**
 * Loads what the digest needs at `now`: open cases plus the cases touched in the last 30 days (the
 * attainment window), their organizations, their trails, each evaluated by the SLA engine. Queries take
 * only those cases (an index scan on status for the open ones, on updated_at for the recent ones) and
 * fetch trails in chunks on parallel connections, so one digest over 100,000 open cases stays in seconds.
 */
import { TIMELINE_EVENT_KINDS, type StoredEvent } from "../cases/timeline.js";
import type { Policy } from "../policy/types.js";
import type { Db } from "../store/database.js";
import { listContactsById, listOrganizationSlaFacts, listTrailEventsMany } from "../store/repos/case-sla.js";
import { listDigestCases, previousDigestAt, rejectionCounts, type DigestCaseRow } from "../store/repos/digest.js";
import { evaluateTrail } from "../cases/case-sla.js";
import type { DigestCase, IntakeCounts } from "./build.js";
import { organizationZone } from "../entitlements/organization.js";
import { termOf } from "../entitlements/term.js";
import { quotaRuleFor } from "../entitlements/quota.js";
import { quotaCasesOf } from "../store/repos/entitlements.js";
import { listOrganizations } from "../store/repos/organizations.js";
import { nearQuotaRows, type NearQuotaRow } from "./quota.js";

const DAY = 86_400_000;
/** Ids per query: far below Postgres's 65,535 bind parameters, large enough to keep round trips few. */
const CHUNK = 10_000;

export interface LoadedDigestCases {
  cases: DigestCase[];
  /** Cases left out: policy not loaded (a config change) or a trail the engine refuses; the caller logs them. */
  skipped: Array<{ number: number; reason: string }>;
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `onlyIds`: evaluate just those of the digest's cases (from-rollup.ts), not all of them. */
export async function loadDigestCases(db: Db, policies: Map<string, Policy>, now: number, onlyIds?: number[]): Promise<LoadedDigestCases> {
  const rows = await listDigestCases(db, new Date(now - 30 * DAY), new Date(now), onlyIds);
  const skipped = rows
    .filter((r) => !policies.has(r.policyId))
    .map((r) => ({ number: r.number, reason: `policy "${r.policyId}" is not loaded` }));
  const known = rows.filter((r) => policies.has(r.policyId));
  const [orgs, zones, trails] = await Promise.all([
    loadOrganizations(db, known),
    loadRequesterZones(db, known, policies),
    Promise.all(chunks(known.map((r) => r.id)).map((ids) => loadTrailChunk(db, ids))),
  ]);
  const trailOf = new Map(trails.flatMap((m) => [...m]));
  const result: DigestCase[] = [];
  for (const r of known) {
    const policy = policies.get(r.policyId)!;
    const org = orgs.get(r.organizationId);
    const customerZone = zones.get(r.requesterId) ?? org?.timeZone ?? null;
    const facts = { entitlements: org?.entitlements ?? [], customerZone, closedDates: org?.closedDates ?? [], contract: org?.contract ?? null, agreement: org?.agreement ?? null };
    // The history as of `now`: a preview of a past day ignores what happened after it.
    const trail = (trailOf.get(r.id) ?? []).filter((e) => e.at <= now);
    let metrics;
    try {
      metrics = evaluateTrail(policy, trail, facts, null, now).metrics;
    } catch (error) {
      skipped.push({ number: r.number, reason: (error as Error).message });
      continue;
    }
    result.push({
      id: r.id,
      number: r.number,
      subject: r.subject,
      status: r.status,
      organization: org?.name ?? `organization ${r.organizationId}`,
      severity: { id: r.severity, name: policy.severities.find((s) => s.id === r.severity)?.name ?? r.severity },
      policy,
      customerZone,
      metrics,
    });
  }
  return { cases: result, skipped };
}

/** A chunk of trails in one query, the ids as one parameter (listTrailEventsMany). */
async function loadTrailChunk(db: Db, ids: number[]): Promise<Map<number, StoredEvent[]>> {
  const trails = new Map<number, StoredEvent[]>(ids.map((id) => [id, []]));
  for (const r of await listTrailEventsMany(db, ids, TIMELINE_EVENT_KINDS)) trails.get(r.caseId)?.push({ kind: r.kind, at: r.at, data: r.data });
  return trails;
}

async function loadOrganizations(db: Db, rows: DigestCaseRow[]) {
  const ids = [...new Set(rows.map((r) => r.organizationId))];
  const found = await Promise.all(chunks(ids).map((part) => listOrganizationSlaFacts(db, part)));
  return new Map(found.flat().map((o) => [o.id, o]));
}

/** Requesters' zones, only for cases whose policy calendar follows the customer's zone (CIQ). */
async function loadRequesterZones(db: Db, rows: DigestCaseRow[], policies: Map<string, Policy>): Promise<Map<number, string>> {
  const ids = [...new Set(rows.filter((r) => policies.get(r.policyId)?.calendar.followsCustomerZone).map((r) => r.requesterId))];
  const found = await Promise.all(chunks(ids).map((part) => listContactsById(db, part)));
  return new Map(found.flat().flatMap((c) => (c.timeZone ? [[c.id, c.timeZone] as const] : [])));
}

/**
 * Mail refused or quarantined since the manager's previous digest (the first digest looks back 24 hours),
 * from the refusal and quarantine records (inbound_rejections).
 */
export async function loadIntakeCounts(db: Db, managerId: number, day: string, now: number): Promise<IntakeCounts> {
  const since = (await previousDigestAt(db, managerId, day))?.getTime() ?? now - DAY;
  const rows = await rejectionCounts(db, new Date(since), new Date(now));
  const of = (disposition: string) => rows.filter((r) => r.disposition === disposition).map((r) => ({ label: r.reason, count: Number(r.count) }));
  return { since, refused: of("refused"), quarantined: of("quarantined") };
}

/** Organizations at or over 80% of their ticket quota at `now`, from their cases' history (src/digest/quota.ts). */
export async function loadNearQuota(db: Db, policies: Map<string, Policy>, now: number): Promise<NearQuotaRow[]> {
  const orgs = (await listOrganizations(db)).flatMap((o) => {
    const policy = policies.get(o.policyId);
    return policy && o.contractStart && quotaRuleFor(policy, o.agreement) ? [{ org: o, policy }] : [];
  });
  const cases = await quotaCasesOf(db, orgs.map((o) => o.org.id));
  return nearQuotaRows(
    orgs.map(({ org, policy }) => ({ name: org.name, policy, term: termOf(org), agreement: org.agreement, zone: organizationZone(policy, org), cases: cases.get(org.id) ?? [] })),
    now,
  );
}
