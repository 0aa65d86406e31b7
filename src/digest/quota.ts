/**
 * The digest's "Organizations at or over 80% of their ticket quota" (issue 13: "The digest shows organizations
 * at or over 80%"). Pure: each organization's policy, contract and cases with their status history in, the rows
 * of those whose current contract year has used 80% or more of its allowance (src/entitlements/quota.ts,
 * `nearQuota`) out, fullest first. Counted from case history, as `org usage` counts it.
 */
import type { Instant } from "../calendar/types.js";
import type { Policy } from "../policy/types.js";
import type { Agreement } from "../entitlements/agreement.js";
import { nearQuota, quotaRuleFor, usageAt, type QuotaCase } from "../entitlements/quota.js";
import type { ContractTerm } from "../entitlements/term.js";

export interface QuotaOrganization {
  name: string;
  policy: Policy;
  term: ContractTerm | null;
  agreement: Agreement | null;
  zone: string;
  cases: readonly QuotaCase[];
}

export interface NearQuotaRow {
  organization: string;
  year: number;
  used: number;
  allowance: number;
  remaining: number;
}

export function nearQuotaRows(orgs: readonly QuotaOrganization[], now: Instant): NearQuotaRow[] {
  const rows: NearQuotaRow[] = [];
  for (const o of orgs) {
    const rule = quotaRuleFor(o.policy, o.agreement);
    const usage = rule && o.term ? usageAt(rule, o.term, o.zone, o.cases, now) : null;
    if (usage && nearQuota(usage)) rows.push({ organization: o.name, year: usage.year.number, used: usage.used, allowance: usage.allowance, remaining: usage.remaining });
  }
  return rows.sort((a, b) => b.used / b.allowance - a.used / a.allowance || a.organization.localeCompare(b.organization));
}
