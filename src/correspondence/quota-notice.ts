/**
 * The shell around the ticket quota's 80% rule (src/entitlements/quota.ts `nearQuota`): after a staff change
 * that can add a counted ticket (a resolution, or a resolved case reclassified to a counted type), the
 * organization's contract year is counted again from case history and, at 80% or more of the allowance, one
 * notice is queued to its DTCs and the managers in the caller's transaction. Issue 13: "At 80% used, the DTCs
 * and managers get one notice per year." The outbox key names the organization, the contract year and the
 * threshold (nearQuotaNotice), so the notice goes out once per contract year however many resolutions follow.
 */
import type { Desk } from "../desk.js";
import { nearQuotaNotice } from "../cases/entitlement-notices.js";
import { organizationZone } from "../entitlements/organization.js";
import { nearQuota, quotaRuleFor, usageAt } from "../entitlements/quota.js";
import { termOf } from "../entitlements/term.js";
import type { OutgoingKind } from "../outbox/headers.js";
import { enqueue } from "../outbox/queue.js";
import type { Db } from "../store/database.js";
import type { Case } from "../store/repos/cases.js";
import { quotaCasesOf } from "../store/repos/entitlements.js";
import { getOrganization } from "../store/repos/organizations.js";
import { queryHourAudience } from "../store/repos/time-entries.js";

/** After a case of the organization is resolved (or reclassified): the 80% notice, when it is owed now. */
export async function queueNearQuotaNotice(tx: Db, desk: Desk, caseRow: Case, now: number): Promise<OutgoingKind[]> {
  const org = await getOrganization(tx, caseRow.organizationId);
  const policy = org ? desk.policies.get(org.policyId) : undefined;
  if (!org || !policy) return [];
  const rule = quotaRuleFor(policy, org.agreement);
  const term = termOf(org);
  if (!rule || !term) return [];
  const cases = (await quotaCasesOf(tx, [org.id])).get(org.id) ?? [];
  const usage = usageAt(rule, term, organizationZone(policy, org), cases, now);
  if (!usage || !nearQuota(usage)) return [];
  // The same people as the query-hours notices: the organization's active DTCs and our active managers.
  const audience = await queryHourAudience(tx, org.id);
  const row = nearQuotaNotice(desk, org, { year: usage.year.number, used: usage.used, allowance: usage.allowance }, [...audience.dtcs, ...audience.managers]);
  return row && (await enqueue(tx, row, now)) ? ["entitlement-notice"] : [];
}
