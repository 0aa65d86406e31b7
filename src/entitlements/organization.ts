/**
 * What the entitlement rules know of one organization: its contract term, the rest of its agreement, its
 * account contact and (when it counts tickets) its cases. Loaded with the organization; plain data.
 */
import type { Policy } from "../policy/types.js";
import { effectiveZone } from "../sla/calendars.js";
import type { Agreement } from "./agreement.js";
import type { QuotaCase } from "./quota.js";
import { termOf, type ContractTerm } from "./term.js";

export interface OrganizationTerms {
  term: ContractTerm | null;
  agreement: Agreement | null;
  accountContact: string | null;
  /** Present only when the organization's policy or contract counts tickets. */
  cases?: QuotaCase[];
}

export function organizationTerms(
  row: { contractStart: string | null; contractEnd: string | null; agreement: Agreement | null; accountContact: string | null },
  cases?: QuotaCase[],
): OrganizationTerms {
  return { term: termOf(row), agreement: row.agreement, accountContact: row.accountContact, ...(cases ? { cases } : {}) };
}

/** Whether the organization's policy or contract counts tickets (so its cases must be loaded). */
export function countsTickets(policy: Policy | undefined, agreement: Agreement | null): boolean {
  return Boolean(policy?.quota) || agreement?.ticketsPerYear !== undefined;
}

/**
 * The zone the organization's calendar days are in: the agreed hours' zone, else the zone the policy's clocks
 * use for this customer (its own zone when the policy follows it, as CIQ's "local time" does).
 */
export function organizationZone(policy: Policy, org: { timeZone: string | null; agreement?: Agreement | null }): string {
  return org.agreement?.hours?.zone ?? effectiveZone(policy, org.timeZone);
}

/** Whom the customer asks about the agreement: the organization's account contact, else the policy's. */
export function accountContactOf(policy: Policy, terms: Pick<OrganizationTerms, "accountContact"> | undefined): string | null {
  return terms?.accountContact ?? policy.accountContact ?? null;
}
