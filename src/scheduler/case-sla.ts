/**
 * A case's SLA state kept true: after any change to a case (a reply, a command, a reopen) its SLA is
 * evaluated again from the whole trail, and the snapshot and the scheduler's index are stored, in the
 * caller's transaction, with the digest's rollup (src/digest/record.ts).
 */
import { evaluateTrail, nextActionDate, policyOf, slaSnapshot } from "../cases/case-sla.js";
import { TIMELINE_EVENT_KINDS, type StoredEvent } from "../cases/timeline.js";
import type { Desk } from "../desk.js";
import { AppError } from "../errors.js";
import type { SlaEvaluation } from "../sla/types.js";
import type { Db } from "../store/database.js";
import { getCaseWithParties, listTrailEvents, saveCaseSla } from "../store/repos/case-sla.js";
import { recordDecisions } from "../digest/record.js";

/** The clock-moving part of several cases' trails in one query, oldest first per case. */
export async function loadTrails(db: Db, caseIds: number[]): Promise<Map<number, StoredEvent[]>> {
  const trails = new Map<number, StoredEvent[]>(caseIds.map((id) => [id, []]));
  if (caseIds.length === 0) return trails;
  for (const r of await listTrailEvents(db, caseIds, TIMELINE_EVENT_KINDS)) trails.get(r.caseId)?.push({ kind: r.kind, at: r.at, data: r.data });
  return trails;
}

export async function refreshCaseSla(tx: Db, desk: Desk, caseId: number, now: number): Promise<SlaEvaluation> {
  const row = await getCaseWithParties(tx, caseId);
  if (!row) throw new AppError("E_NOT_FOUND", `no case with id ${caseId}`);
  const { c, org } = row;
  const trail = (await loadTrails(tx, [caseId])).get(caseId) ?? [];
  const facts = { entitlements: org.entitlements, customerZone: row.requesterZone ?? org.timeZone, closedDates: org.closedDates, contract: org.contract, agreement: org.agreement };
  const evaluation = evaluateTrail(policyOf(desk.policies, c), trail, facts, c.remindersSent, now);
  await saveCaseSla(tx, { caseId, slaState: slaSnapshot(evaluation, now), nextActionAt: nextActionDate(evaluation, now) }, new Date(now));
  await recordDecisions(tx, [{ caseId, policyId: c.policyId, severity: c.severity, metrics: evaluation.metrics }], now);
  return evaluation;
}
