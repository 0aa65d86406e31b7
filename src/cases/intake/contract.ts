/**
 * The two intake rules of an organization's contract (pure, called from decide.ts):
 *  - contractInactive: a request from a DTC whose organization's contract has not started or has ended opens no
 *    case ([001] "Only licensed software can be subject to technical support under this Policy"; [003] Konneqt
 *    may suspend the SLA on "Subscription lapse"). Replies on existing cases never reach this rule.
 *  - ticketQuota: a new case while the contract year's allowance is used up is still opened ([001] "If necessary
 *    the customer may order additional services that are charged under SLA") and marked chargeable.
 */
import { accountContactOf, organizationZone } from "../../entitlements/organization.js";
import { quotaRuleFor, usageAt } from "../../entitlements/quota.js";
import { contractStateAt, termState, type ContractState } from "../../entitlements/term.js";
import type { Policy } from "../../policy/types.js";
import type { ContractRefusal, OrganizationInfo, QuotaMark } from "../inbound-decision.js";

/** The contract as of `now` for views (`ingest --dry-run --json`): `{ active, start, end, year }`. */
export function contractStateOf(org: OrganizationInfo, policy: Policy, now: number): ContractState {
  return contractStateAt(org.terms?.term ?? null, now, organizationZone(policy, { timeZone: org.timeZone, agreement: org.terms?.agreement }));
}

export function contractInactive(org: OrganizationInfo, policy: Policy, now: number): ContractRefusal | null {
  const term = org.terms?.term ?? null;
  if (!term) return null;
  const state = termState(term, now, organizationZone(policy, { timeZone: org.timeZone, agreement: org.terms?.agreement }));
  if (state === "active") return null;
  const date = state === "ended" ? term.end! : term.start;
  const detail = state === "ended" ? `the support agreement of ${org.name} ended on ${date}` : `the support agreement of ${org.name} starts on ${date}`;
  return { state, date, contact: accountContactOf(policy, org.terms), detail };
}

/** The contract year's count when the organization counts tickets and its term has started; else undefined. */
export function ticketQuota(org: OrganizationInfo, policy: Policy, caseType: string, now: number): QuotaMark | undefined {
  const terms = org.terms;
  const rule = quotaRuleFor(policy, terms?.agreement);
  if (!rule || !terms?.term || !terms.cases) return undefined;
  const usage = usageAt(rule, terms.term, organizationZone(policy, { timeZone: org.timeZone, agreement: terms.agreement }), terms.cases, now);
  if (!usage) return undefined;
  const counted = rule.countedCaseTypes === null || rule.countedCaseTypes.includes(caseType as never);
  return {
    year: usage.year.number,
    used: usage.used,
    allowance: usage.allowance,
    // A type the policy does not count (Premium feature requests) is never charged as a ticket.
    chargeable: counted && usage.used >= usage.allowance,
    accountContact: accountContactOf(policy, terms),
  };
}
