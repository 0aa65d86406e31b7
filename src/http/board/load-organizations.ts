/** The organizations page's data: each organization's `org usage` report, query hours and open cases. */
import { loadQueryHours } from "../../correspondence/query-hours.js";
import type { Desk } from "../../desk.js";
import { organizationZone } from "../../entitlements/organization.js";
import { termOf } from "../../entitlements/term.js";
import { usageReport } from "../../entitlements/usage.js";
import type { Db } from "../../store/database.js";
import { openCasesByOrganization } from "../../store/repos/board.js";
import { quotaCasesOf } from "../../store/repos/entitlements.js";
import { listOrganizations } from "../../store/repos/organizations.js";
import { listStaff } from "../../store/repos/staff.js";
import type { OrganizationUsage } from "./pages/desk.js";

export async function loadOrganizationUsage(db: Db, desk: Pick<Desk, "policies">, now: number): Promise<OrganizationUsage[]> {
  const [orgs, open, staff] = await Promise.all([listOrganizations(db), openCasesByOrganization(db), listStaff(db)]);
  const quota = await quotaCasesOf(db, orgs.map((o) => o.id));
  const emailOf = new Map(staff.map((s) => [s.id, s.email]));
  const result: OrganizationUsage[] = [];
  for (const org of orgs.sort((a, b) => a.name.localeCompare(b.name))) {
    const policy = desk.policies.get(org.policyId);
    if (!policy) {
      const note = `policy "${org.policyId}" is not loaded (policies.dirs)`;
      result.push({ name: org.name, policy: org.policyId, engineer: null, openCases: open.get(org.id) ?? 0, usage: { organization: org.name, policy: org.policyId, term: termOf(org), year: null, tickets: null, note }, queryHours: [] });
      continue;
    }
    const usage = usageReport({ organization: org.name, policy, term: termOf(org), agreement: org.agreement, zone: organizationZone(policy, org), cases: quota.get(org.id) ?? [], now });
    result.push({
      name: org.name,
      policy: org.policyId,
      engineer: org.engineerId === null ? null : (emailOf.get(org.engineerId) ?? null),
      openCases: open.get(org.id) ?? 0,
      usage,
      queryHours: await loadQueryHours(db, desk, org, now),
    });
  }
  return result;
}
