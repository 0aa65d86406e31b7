/**
 * Mail about what an organization bought (pure, ready for the outbox): a chargeable case (to the account contact
 * and the managers, once per case), an emergency request (to the managers at once, Infotecs Premium), and the
 * 80% notice of a contract year's tickets (to the DTCs and managers, once per year). Each idempotency key names
 * the case or the organization's year, so a retried transaction or a second worker never sends one twice.
 */
import type { Desk } from "../desk.js";
import { deskNotice } from "../outbox/desk-notice.js";
import type { NewOutgoing } from "../outbox/queue.js";
import type { QuotaMark } from "./inbound-decision.js";

/** The address inside "Jane Roe <jane@vendor.example>" (or the bare address); null when there is none. */
export function addressOf(contact: string | null): string | null {
  if (!contact) return null;
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(contact) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(contact);
  return m ? m[1]!.toLowerCase() : null;
}

function notice(desk: Desk, key: string, caseId: number | null, to: string[], subject: string, headline: string, lines: string[]): NewOutgoing | null {
  const recipients = [...new Set(to)];
  if (recipients.length === 0) return null;
  const body = desk.templates.render("entitlement-notice", { headline, lines, supportAddress: desk.fromAddress });
  return deskNotice(desk, { key, kind: "entitlement-notice", caseId, to: recipients, subject, body });
}

export interface CaseRef {
  id: number;
  number: number;
  subject: string;
  organization: string;
}

export function chargeableNotice(desk: Desk, c: CaseRef, quota: QuotaMark, managers: string[]): NewOutgoing | null {
  const to = [addressOf(quota.accountContact), ...managers].filter((a): a is string => a !== null);
  return notice(desk, `case:${c.number}:chargeable`, c.id, to, `[Case #${c.number}] Chargeable: ${c.organization} has used its ${quota.allowance} tickets`, `Case #${c.number} of ${c.organization} is chargeable.`, [
    `"${c.subject}" was opened after ${quota.used} of the ${quota.allowance} tickets of contract year ${quota.year} were resolved.`,
    "The case is handled as usual; the support plan says additional services are charged under the agreement.",
  ]);
}

export function emergencyNotice(desk: Desk, c: CaseRef, reason: string, managers: string[]): NewOutgoing | null {
  return notice(desk, `case:${c.number}:emergency`, c.id, managers, `[Case #${c.number}] Emergency request from ${c.organization}`, `${c.organization} asks for emergency support on case #${c.number}.`, [
    `"${c.subject}"`,
    reason,
  ]);
}

export function nearQuotaNotice(desk: Desk, org: { id: number; name: string }, usage: { year: number; used: number; allowance: number }, to: string[]): NewOutgoing | null {
  return notice(desk, `quota:${org.id}:year:${usage.year}:80`, null, to, `${org.name}: ${usage.used} of ${usage.allowance} support tickets used`, `${org.name} has used ${usage.used} of the ${usage.allowance} tickets of contract year ${usage.year}.`, [
    "When the allowance is used up, new requests are still opened, but charged under the agreement.",
    "See: support-inbox org usage " + JSON.stringify(org.name),
  ]);
}
