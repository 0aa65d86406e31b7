/**
 * Personal-data retention, the pure part: when an organization's personal data is due for erasure, who its
 * people are with their pseudonyms, and what a piece of stored text becomes once they are erased.
 *
 * Konneqt [003] "Data Retention": "Konneqt will retain the PII of support users, including names and email
 * addresses, for 90 days after the termination of the contract." The days come from the policy
 * (`retention.piiDaysAfterContractEnd`); a policy without it keeps personal data (nothing is erased).
 * "Retention of Support Portal Data (Excluding Support Cases)": "Konneqt will retain non-support case-related data
 * stored in the support portal for 90 days after contract termination" (`portalDataDaysAfterContractEnd`).
 */
import { DateTime } from "luxon";
import type { Instant } from "../calendar/types.js";
import { termBounds } from "../entitlements/term.js";

export interface RetentionOrg {
  id: number;
  name: string;
  contractStart: string | null;
  contractEnd: string | null;
  /** The zone the organization's calendar days are in (organizationZone). */
  zone: string;
  piiDays: number | undefined;
  portalDays: number | undefined;
  erasedAt: Instant | null;
  erasureStarted: boolean;
}

export type RetentionState = "kept" | "open-ended" | "retained" | "due" | "erased";

export interface RetentionScheduleEntry {
  organizationId: number;
  name: string;
  state: RetentionState;
  contractEnd: string | null;
  /** The days the policy keeps personal data after the contract ends (the shorter of PII and portal data). */
  days: number | null;
  /** When the data is (or was) due for erasure: the contract's termination plus the days; null when never. */
  dueAt: Instant | null;
  erasedAt: Instant | null;
}

/**
 * When each organization's personal and portal data is due. The contract terminates at the end of its last day
 * (local midnight after it, termBounds), and the days are calendar days in the organization's zone.
 */
export function retentionSchedule(orgs: RetentionOrg[], now: Instant): RetentionScheduleEntry[] {
  return orgs.map((o) => {
    const days = [o.piiDays, o.portalDays].filter((d): d is number => d !== undefined);
    const base = { organizationId: o.id, name: o.name, contractEnd: o.contractEnd, erasedAt: o.erasedAt };
    if (days.length === 0) return { ...base, state: "kept", days: null, dueAt: null };
    const keep = Math.min(...days);
    if (!o.contractStart || !o.contractEnd) return { ...base, state: "open-ended", days: keep, dueAt: null };
    const stop = termBounds({ start: o.contractStart, end: o.contractEnd }, o.zone).stop!;
    const dueAt = DateTime.fromMillis(stop, { zone: o.zone }).plus({ days: keep }).toMillis();
    const state: RetentionState = o.erasedAt !== null ? "erased" : now >= dueAt ? "due" : "retained";
    return { ...base, state, days: keep, dueAt };
  });
}

export interface Person {
  /** Lowercased address; null for a name known without one. */
  address: string | null;
  name: string | null;
}

export interface Pseudonymised extends Person {
  personNo: number;
  pseudonymAddress: string;
  pseudonymName: string;
}

/** The domain every pseudonymous address is in: .invalid (RFC 2606) can never receive mail. */
export const ERASED_DOMAIN = "erased.invalid";

/**
 * Numbers the people of one organization 1…n (contacts first, by the order given) and gives each a pseudonym
 * that is unique across organizations (contacts.email is unique) and says nothing of the person.
 */
export function assignPseudonyms(organizationId: number, people: Person[]): Pseudonymised[] {
  const seen = new Set<string>();
  const out: Pseudonymised[] = [];
  for (const p of people) {
    const key = p.address ?? `name:${p.name ?? ""}`;
    if (seen.has(key) || (p.address === null && !p.name) || p.address?.endsWith(`@${ERASED_DOMAIN}`)) continue;
    seen.add(key);
    const n = out.length + 1;
    out.push({ ...p, personNo: n, pseudonymAddress: `person-${organizationId}-${n}@${ERASED_DOMAIN}`, pseudonymName: `Erased person ${n}` });
  }
  return out;
}

/**
 * The addresses among `seen` that belong to the customer's people: not ours (staff and mailbox addresses, and any
 * address in one of our domains), not already a pseudonym.
 */
export function customerAddresses(seen: Iterable<string>, ours: { addresses: string[] }): string[] {
  const own = new Set(ours.addresses.map((a) => a.toLowerCase()));
  const ownDomains = new Set([...own].map((a) => a.split("@")[1]).filter(Boolean));
  const out = new Set<string>();
  for (const raw of seen) {
    const a = raw.trim().toLowerCase();
    if (!a.includes("@") || own.has(a) || ownDomains.has(a.split("@")[1]!) || a.endsWith(`@${ERASED_DOMAIN}`)) continue;
    out.add(a);
  }
  return [...out].sort();
}

/**
 * The name a colleague known only by address most likely goes by: "ana.lima@…" → "Ana Lima". Intake keeps
 * addresses, not display names, so this is how a Cc'd colleague's name is found in the bodies that mention them.
 * Only first.last-like local parts (2+ alphabetic parts) give a name; "info@…" gives none.
 */
export function nameFromAddress(address: string): string | null {
  const parts = address.split("@")[0]!.split(/[._-]+/u);
  if (parts.length < 2 || !parts.every((p) => /^\p{L}{2,}$/u.test(p))) return null;
  return parts.map((p) => p[0]!.toUpperCase() + p.slice(1).toLowerCase()).join(" ");
}

interface Rule {
  pattern: RegExp;
  replacement: string;
}

export interface Eraser {
  text(value: string): string;
  /** Every string inside a JSON value (keys too). */
  json<T>(value: T): T;
  /** Whether a value holds something the eraser would change. */
  touches(value: string): boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * What the people's values become: each address (any case) → its pseudonym address; each full name (any case) →
 * its pseudonym name; then each part of a name as a capitalised word of 3+ letters ("Thanks, Lucas") → the
 * pseudonym name, unless the word is also part of a staff name (`keepWords`), which would erase our own people.
 */
export function eraserFor(people: Pseudonymised[], keepWords: string[] = []): Eraser {
  const keep = new Set(keepWords.map((w) => w.toLowerCase()));
  const rules: Rule[] = [];
  const byLength = <T extends { key: string }>(xs: T[]) => xs.sort((a, b) => b.key.length - a.key.length);
  for (const p of byLength(people.filter((p) => p.address).map((p) => ({ key: p.address!, p })))) {
    // Bounded so "lucas@x.example" never eats part of "mlucas@x.example" or "lucas@x.example.org".
    rules.push({ pattern: new RegExp(`(?<![\\p{L}\\p{N}._%+-])${escape(p.key)}(?![\\p{L}\\p{N}-]|\\.[\\p{L}\\p{N}])`, "giu"), replacement: p.p.pseudonymAddress });
  }
  for (const p of byLength(people.filter((p) => p.name?.trim()).map((p) => ({ key: p.name!.trim(), p })))) {
    rules.push({ pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escape(p.key).replace(/\s+/g, "\\s+")}(?![\\p{L}\\p{N}])`, "giu"), replacement: p.p.pseudonymName });
  }
  const parts = people.flatMap((p) => (p.name ?? "").split(/[\s,.'"()<>]+/u).map((w) => ({ key: w, p })));
  for (const { key, p } of byLength(parts.filter(({ key }) => [...key].length >= 3 && !keep.has(key.toLowerCase())))) {
    const word = key[0]!.toUpperCase() + key.slice(1);
    rules.push({ pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escape(word)}(?![\\p{L}\\p{N}])`, "gu"), replacement: p.pseudonymName });
  }
  const text = (value: string) => rules.reduce((s, r) => s.replace(r.pattern, r.replacement), value);
  const json = <T>(value: T): T => {
    if (typeof value === "string") return text(value) as T;
    if (Array.isArray(value)) return value.map((v) => json(v)) as T;
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), json(v)])) as T;
    return value;
  };
  return { text, json, touches: (value) => text(value) !== value };
}
