/**
 * The SLA of a few cases as of now (the board shows live clocks, not the snapshot of the last evaluation):
 * their clock-moving trails, organizations and requesters' zones in three queries, each evaluated by the
 * engine. A page holds 50 cases, so this is a handful of milliseconds.
 */
import { evaluateTrail } from "../../cases/case-sla.js";
import type { Policy } from "../../policy/types.js";
import { loadTrails } from "../../scheduler/case-sla.js";
import type { MetricStatus } from "../../sla/types.js";
import type { Db } from "../../store/database.js";
import { listContactsById, listOrganizationSlaFacts } from "../../store/repos/case-sla.js";

export interface CaseKey {
  id: number;
  number: number;
  policyId: string;
  organizationId: number;
  requesterId: number;
}

/** By case id: the metrics now, or the reason they cannot be shown (a policy no longer loaded). */
export type CaseSla = { metrics: MetricStatus[] } | { error: string };

export async function loadCaseSla(db: Db, policies: ReadonlyMap<string, Policy>, rows: CaseKey[], now: number): Promise<Map<number, CaseSla>> {
  const [trails, orgs, contacts] = await Promise.all([
    loadTrails(db, rows.map((r) => r.id)),
    listOrganizationSlaFacts(db, [...new Set(rows.map((r) => r.organizationId))]),
    listContactsById(db, [...new Set(rows.map((r) => r.requesterId))]),
  ]);
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  const zoneById = new Map(contacts.map((c) => [c.id, c.timeZone]));
  const result = new Map<number, CaseSla>();
  for (const r of rows) {
    const policy = policies.get(r.policyId);
    const org = orgById.get(r.organizationId);
    if (!policy || !org) {
      result.set(r.id, { error: `policy "${r.policyId}" is not loaded` });
      continue;
    }
    const facts = { entitlements: org.entitlements, customerZone: zoneById.get(r.requesterId) ?? org.timeZone, closedDates: org.closedDates, contract: org.contract, agreement: org.agreement };
    try {
      result.set(r.id, { metrics: evaluateTrail(policy, trails.get(r.id) ?? [], facts, null, now).metrics });
    } catch (error) {
      result.set(r.id, { error: `its SLA cannot be evaluated: ${(error as Error).message}` });
    }
  }
  return result;
}
