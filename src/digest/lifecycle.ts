/**
 * The digest's "Upcoming product lifecycle milestones" (issue 16): the EOS, EOMS and EOL dates within each
 * policy's notice period ([001] "not later than half a year before the due date") of the versions customers'
 * cases name, with the organizations that use them. The same due notices the lifecycle job mails (src/lifecycle/
 * notices.ts), grouped per version and milestone; loaded once per digest run.
 */
import type { Policy } from "../policy/types.js";
import { dueNotices } from "../lifecycle/notices.js";
import type { Milestone } from "../lifecycle/dates.js";
import type { Db } from "../store/database.js";
import { casesNamingProducts } from "../store/repos/lifecycle.js";
import { textTable } from "./text-table.js";

export interface UpcomingMilestone {
  product: string;
  version: string;
  milestone: Milestone;
  date: string;
  organizations: string[];
}

export async function loadUpcomingMilestones(db: Db, policies: ReadonlyMap<string, Policy>, now: number): Promise<UpcomingMilestone[]> {
  const ids = [...policies.values()].filter((p) => p.lifecycle?.table).map((p) => p.id);
  if (ids.length === 0) return [];
  const rows = new Map<string, UpcomingMilestone>();
  for (const n of dueNotices(policies, await casesNamingProducts(db, ids), now)) {
    const key = [n.product, n.version, n.milestone, n.date].join("\u0000");
    const row = rows.get(key) ?? { product: n.product, version: n.version, milestone: n.milestone, date: n.date, organizations: [] };
    if (!row.organizations.includes(n.organization)) row.organizations.push(n.organization);
    rows.set(key, row);
  }
  return [...rows.values()].map((r) => ({ ...r, organizations: r.organizations.sort() }));
}

/** What templates/digest.*.hbs show: the rows, and a text table. */
export function lifecycleDigestView(rows: readonly UpcomingMilestone[]) {
  const list = rows.map((r) => ({ ...r, organizationList: r.organizations.join(", ") }));
  return { rows: list, text: textTable(["Product", "Version", "Milestone", "Date", "Organizations"], list.map((r) => [r.product, r.version, r.milestone, r.date, r.organizationList])) };
}
