/**
 * Business hours per organization ("or as agreed"; CIQ's table gives 09:00–17:00 outside North America): when
 * an organization's contract sets its own hours, zone and holidays, the policy's calendar is replaced by them for
 * that organization, so every due time of its cases counts in them. Pure; the same hours give back the same
 * policy object, because the calendars built from a policy are cached per object (src/sla/calendars.ts).
 */
import type { Policy } from "../policy/types.js";
import type { AgreedHours } from "./agreement.js";

const derived = new WeakMap<Policy, Map<string, Policy>>();

export function withAgreedHours(policy: Policy, hours: AgreedHours | null | undefined): Policy {
  if (!hours) return policy;
  let byHours = derived.get(policy);
  if (!byHours) derived.set(policy, (byHours = new Map()));
  const key = JSON.stringify(hours);
  let found = byHours.get(key);
  if (!found) {
    const { zone, week, holidays, closedDates, description } = hours;
    // The agreed zone is the customer's own: it no longer follows the requester's zone.
    found = { ...policy, calendar: { zone, week, holidays, ...(closedDates ? { closedDates } : {}), description } };
    byHours.set(key, found);
  }
  return found;
}
