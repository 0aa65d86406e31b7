/**
 * After any change to a case (a reply, a command, a reopen): evaluate its SLA again from the whole
 * trail and store the snapshot and the scheduler's index, in the caller's transaction.
 */
import { AppError } from "../errors.js";
import type { SlaEvaluation } from "../sla/types.js";
import type { Db } from "../store/database.js";
import { getCaseWithParties, saveCaseSla } from "../store/repos/case-sla.js";
import type { Desk } from "../desk.js";
import { evaluateTrail, loadTrails, nextActionDate, policyOf, slaSnapshot } from "./case-sla.js";

export async function refreshCaseSla(tx: Db, desk: Desk, caseId: number, now: number): Promise<SlaEvaluation> {
  const row = await getCaseWithParties(tx, caseId);
  if (!row) throw new AppError("E_NOT_FOUND", `no case with id ${caseId}`);
  const { c, org } = row;
  const trail = (await loadTrails(tx, [caseId])).get(caseId) ?? [];
  const facts = { entitlements: org.entitlements, customerZone: row.requesterZone ?? org.timeZone, closedDates: org.closedDates, contract: org.contract };
  const evaluation = evaluateTrail(policyOf(desk.policies, c), trail, facts, c.remindersSent, now);
  await saveCaseSla(tx, { caseId, slaState: slaSnapshot(evaluation, now), nextActionAt: nextActionDate(evaluation, now) }, new Date(now));
  return evaluation;
}
