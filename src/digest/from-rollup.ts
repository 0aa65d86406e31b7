/**
 * The digest from what was kept as it happened (issue 18): the same DigestParts buildDigest computes from
 * every case of the 30-day window, at a cost that stays flat as the history grows.
 *
 * - Attainment: decisions counted per day (sla_daily, the partial edge days from sla_decisions), then, for the
 *   few cases evaluated afresh below, their stored decisions replaced by their fresh ones.
 * - Breaches and cases at risk: only cases that can show one are evaluated afresh: a next action by the
 *   latest "end of the next business day" of any calendar (a metric due by then, or come due since its
 *   last evaluation: the scheduler's index), a missed metric not met on an open case, or a metric missed in
 *   the last 24 hours. Any other case's rows are as its last evaluation left them, since nothing about it
 *   changes with time alone before its next action.
 * - Open cases: counted by the database.
 * Valid for a `now` at or after every stored evaluation (canUseRollup); a preview of a past day evaluates.
 */
import type { Instant } from "../calendar/types.js";
import type { Policy } from "../policy/types.js";
import { calendarsForPolicy } from "../sla/calendars.js";
import type { Db } from "../store/database.js";
import { lastCaseUpdate } from "../store/repos/digest.js";
import { listOrganizationSlaFacts } from "../store/repos/case-sla.js";
import {
  backfillState,
  countDecisions,
  customerZones,
  decisionCounts,
  digestCandidateCases,
  hasDecisionsOnDigestCases,
  listDecisions,
  openCaseCounts,
  type DecisionCount,
} from "../store/repos/sla-rollup.js";
import { blank, digestParts, type Attainment, type DigestParts } from "./build.js";
import { endOfNextBusinessDay } from "./days.js";
import { loadDigestCases, type LoadedDigestCases } from "./load.js";

const DAY = 86_400_000;

/** The rollup holds every evaluation up to `now`: backfilled, and no case saved after `now`. */
export async function canUseRollup(db: Db, now: Instant): Promise<boolean> {
  const state = await backfillState(db);
  if (!state?.doneAt || state.doneAt.getTime() > now) return false;
  const last = await lastCaseUpdate(db);
  return last === null || last.getTime() <= now;
}

/** The latest end of the next business day over every policy calendar and customer zone in use. */
async function atRiskHorizon(db: Db, policies: Map<string, Policy>, now: Instant): Promise<Instant> {
  const zones = await customerZones(db);
  let horizon = now;
  for (const policy of policies.values()) {
    for (const zone of policy.calendar.followsCustomerZone ? [null, ...zones] : [null]) {
      horizon = Math.max(horizon, endOfNextBusinessDay(calendarsForPolicy(policy, zone)("business"), now));
    }
  }
  return horizon;
}

export async function digestPartsFromRollup(db: Db, policies: Map<string, Policy>, now: Instant): Promise<{ parts: DigestParts; skipped: LoadedDigestCases["skipped"] }> {
  const horizon = await atRiskHorizon(db, policies, now);
  const ids = await digestCandidateCases(db, new Date(now), new Date(now - DAY), new Date(horizon));
  const [fresh, stored, last7, last30, open] = await Promise.all([
    loadDigestCases(db, policies, now, ids),
    listDecisions(db, ids),
    decisionCounts(db, now - 7 * DAY, now),
    decisionCounts(db, now - 30 * DAY, now),
    openCaseCounts(db, new Date(now)),
  ]);
  const freshParts = digestParts(fresh.cases, now);
  const label = labeller(policies);
  const attainment = new Map(freshParts.attainment);
  const tally = (counts: DecisionCount[], key: "last7" | "last30", sign: 1 | -1) => {
    for (const c of counts) {
      const name = label(c.policyId, c.severity);
      if (name === null) continue; // a policy no longer loaded: its cases are left out, as buildDigest leaves them
      const row = attainment.get(name) ?? attainment.set(name, { last7: blank(), last30: blank() }).get(name)!;
      row[key] = add(row[key], c, sign);
    }
  };
  tally(last7, "last7", 1);
  tally(last30, "last30", 1);
  tally(countDecisions(stored, now - 7 * DAY, now), "last7", -1);
  tally(countDecisions(stored, now - 30 * DAY, now), "last30", -1);
  await keepListedLabels(db, attainment, new Set(freshParts.attainment.keys()), policies, ids, now);
  const orgNames = new Map((await listOrganizationSlaFacts(db, [...new Set(open.map((o) => o.organizationId))])).map((o) => [o.id, o.name]));
  const openRows = open.flatMap((o) => {
    const name = label(o.policyId, o.severity);
    return name === null ? [] : [{ severity: name, organization: orgNames.get(o.organizationId) ?? `organization ${o.organizationId}`, count: o.count }];
  });
  const read = new Set([...freshParts.policies, ...open.flatMap((o) => policies.get(o.policyId) ?? []), ...last30.flatMap((c) => policies.get(c.policyId) ?? [])]);
  return { parts: { breaches: freshParts.breaches, atRisk: freshParts.atRisk, open: openRows, attainment, policies: [...read] }, skipped: fresh.skipped };
}

/** "vantiq: Severity 1 (Business-critical)" for a stored policy and severity id; null when the policy is not loaded. */
function labeller(policies: Map<string, Policy>) {
  return (policyId: string, severity: string): string | null => {
    const policy = policies.get(policyId);
    return policy ? `${policy.id}: ${policy.severities.find((s) => s.id === severity)?.name ?? severity}` : null;
  };
}

function add(a: Attainment, c: { met: number; total: number }, sign: 1 | -1): Attainment {
  return { met: a.met + sign * c.met, total: a.total + sign * c.total, rate: null };
}

/**
 * buildDigest lists a severity with any decision on the cases it reads, even one older than 30 days (0 of 0).
 * Rows the window left at zero stay only when such a decision exists: on a case evaluated afresh (those
 * put theirs in already) or, looked up per severity, on another case the digest reads.
 */
async function keepListedLabels(
  db: Db,
  attainment: Map<string, { last7: Attainment; last30: Attainment }>,
  freshLabels: Set<string>,
  policies: Map<string, Policy>,
  freshIds: number[],
  now: Instant,
): Promise<void> {
  for (const [name, row] of attainment) if (row.last30.total === 0 && !freshLabels.has(name)) attainment.delete(name);
  const label = labeller(policies);
  for (const policy of policies.values()) {
    for (const s of policy.severities) {
      const name = label(policy.id, s.id)!;
      if (attainment.has(name)) continue;
      if (await hasDecisionsOnDigestCases(db, { policyId: policy.id, severity: s.id, since: new Date(now - 30 * DAY), now: new Date(now), except: freshIds })) {
        attainment.set(name, { last7: blank(), last30: blank() });
      }
    }
  }
}
