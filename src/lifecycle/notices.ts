/**
 * Which lifecycle notices are due (pure). [001] "Infotecs shall inform users about EOS, EOMS, and EOL of the
 * products these customers use not later than half a year before the due date." An organization uses a version
 * when one of its cases names it (the request template's Product and Version, read as at intake). A milestone's
 * notice is due from `noticeMonthsAhead` months before its date until the date; past milestones are not
 * announced. The same rows, without recipients, are the digest's "upcoming milestones".
 */
import { DateTime } from "luxon";
import type { Policy } from "../policy/types.js";
import { versionMilestones, type Milestone, type VersionMilestones } from "./dates.js";
import { matchVersion } from "./match.js";
import { dayIn } from "./period.js";

/** A case as the notice planner reads it. */
export interface LifecycleCase {
  number: number;
  organizationId: number;
  organization: string;
  policyId: string;
  product: string | null;
  version: string | null;
}

export interface DueNotice {
  organizationId: number;
  organization: string;
  policyId: string;
  product: string;
  version: string;
  milestone: Milestone;
  /** YYYY-MM-DD. */
  date: string;
  /** The first day it is due: the date less the notice period. */
  from: string;
  /** The organization's cases that name the version. */
  cases: number[];
  milestones: VersionMilestones;
}

/** A notice's identity: what lifecycle_notices records and the outbox key names. */
export const noticeKey = (n: Pick<DueNotice, "organizationId" | "product" | "version" | "milestone" | "date">) =>
  `lifecycle:${n.organizationId}:${n.product}:${n.version}:${n.milestone}:${n.date}`;

const MILESTONES: Milestone[] = ["EOS", "EOMS", "EOL"];

export function dueNotices(policies: ReadonlyMap<string, Policy>, cases: readonly LifecycleCase[], now: number): DueNotice[] {
  const groups = new Map<string, DueNotice[]>();
  const out: DueNotice[] = [];
  for (const c of cases) {
    const policy = policies.get(c.policyId);
    const rules = policy?.lifecycle;
    if (!policy || !rules?.table) continue;
    const match = matchVersion(rules.table, c.product ?? undefined, c.version ?? undefined);
    if (match.kind !== "found") continue;
    const groupKey = `${c.organizationId}\u0000${match.product.name}\u0000${match.version.version}`;
    const known = groups.get(groupKey);
    if (known) {
      for (const n of known) if (!n.cases.includes(c.number)) n.cases.push(c.number);
      continue;
    }
    const m = versionMilestones(match.product, match.version);
    const day = dayIn(now, policy.calendar.zone);
    const due = MILESTONES.flatMap((milestone) => {
      const date = milestone === "EOS" ? m.eos : milestone === "EOMS" ? m.eoms : m.eol;
      if (date === null) return [];
      const from = DateTime.fromISO(date, { zone: "UTC" }).minus({ months: rules.noticeMonthsAhead }).toISODate()!;
      if (day < from || day >= date) return [];
      return [{ organizationId: c.organizationId, organization: c.organization, policyId: c.policyId, product: m.product, version: m.version, milestone, date, from, cases: [c.number], milestones: m }];
    });
    groups.set(groupKey, due);
    out.push(...due);
  }
  for (const n of out) n.cases.sort((a, b) => a - b);
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.organization.localeCompare(b.organization) || a.product.localeCompare(b.product));
}

/** What each milestone means, for the notice and the digest. */
export const MILESTONE_NAMES: Record<Milestone, string> = {
  EOS: "End of Sales",
  EOMS: "End of Mainstream Support",
  EOL: "End of Life",
};

/** [001]'s words for what follows each milestone. */
export const MILESTONE_MEANING: Record<Milestone, string> = {
  EOS: "the version is no longer sold; support continues.",
  EOMS: "Extended Support begins: updates then only eliminate vulnerabilities and fix critical bugs; other bugs can be fixed only under additional agreements and are subject to payment.",
  EOL: "end of any support for the version; we can no longer open cases for it.",
};
