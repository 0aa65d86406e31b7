/**
 * CIQ Premium's Severity 1 runs around the clock only while the customer's dedicated point of contact can
 * be reached: [002] 5.1 "If Customer's dedicated point of contact is unreachable, CIQ may revert to
 * standard business hours response". Staff mark the contact unreachable and reachable again on a case
 * (`#contact unreachable|reachable`); from each mark on, the case's clocks count time accordingly:
 * - the service level is the one in force now: the standard (business-hour) one while the contact is
 *   unreachable, the 24x7 one while reachable;
 * - time counts around the clock while the contact was reachable and in business hours only while it was
 *   not (ContactCalendar), so the instant of each mark is where the counting changes, not the case's start.
 * Pure.
 */
import type { BusinessCalendar, BusinessDuration, Instant } from "../calendar/types.js";
import { AppError } from "../errors.js";
import type { EntitlementId, Policy, ServiceLevel } from "../policy/types.js";
import { serviceLevelFor, type CaseFacts } from "../policy/select.js";
import type { Interval } from "./history.js";

export const NAMED_CONTACT: EntitlementId = "named-contact";
type Coverage = ServiceLevel["coverage"];
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const dependsOnContact = (level: ServiceLevel | null): boolean =>
  level !== null && level.coverage === "24x7" && (level.when?.entitlements ?? []).includes(NAMED_CONTACT);

/** The service level in force now and the calendar its clocks count on. */
export function levelAndCalendar(
  policy: Policy,
  facts: CaseFacts,
  unreachable: Interval[],
  calendarFor: (coverage: Coverage) => BusinessCalendar,
): { level: ServiceLevel; cal: BusinessCalendar } | null {
  const full = serviceLevelFor(policy, facts);
  const unreachableNow = unreachable.some((s) => s.to === null);
  const level = unreachableNow && dependsOnContact(full) ? serviceLevelFor(policy, { ...facts, entitlements: facts.entitlements.filter((e) => e !== NAMED_CONTACT) }) : full;
  if (!level) return null;
  if (unreachable.length === 0 || !dependsOnContact(full)) return { level, cal: calendarFor(level.coverage) };
  return { level, cal: new ContactCalendar(calendarFor("24x7"), calendarFor("business"), unreachable) };
}

/** Open around the clock, except during the unreachable spells, where only the business calendar is open. */
export class ContactCalendar implements BusinessCalendar {
  readonly spec: BusinessCalendar["spec"];
  private readonly spells: Interval[];

  constructor(always: BusinessCalendar, private readonly business: BusinessCalendar, unreachable: Interval[]) {
    this.spec = always.spec;
    this.spells = [...unreachable].sort((a, b) => a.from - b.from);
  }

  private spellAt(t: Instant): Interval | undefined {
    return this.spells.find((s) => s.from <= t && (s.to === null || t < s.to));
  }

  isOpen(t: Instant): boolean {
    return this.spellAt(t) ? this.business.isOpen(t) : true;
  }

  nextOpening(t: Instant): Instant {
    const spell = this.spellAt(t);
    if (!spell) return t;
    const next = this.business.nextOpening(t);
    return spell.to === null ? next : Math.min(next, spell.to);
  }

  between(a: Instant, b: Instant): number {
    if (b <= a) return 0;
    let total = b - a;
    for (const s of this.spells) {
      const from = Math.max(s.from, a);
      const to = Math.min(s.to ?? b, b);
      if (to > from) total -= to - from - this.business.between(from, to);
    }
    return total;
  }

  /** A duration is counted in the 24x7 level's units (a day is 24 hours of counted time). */
  add(start: Instant, duration: BusinessDuration): Instant {
    if (!Number.isFinite(duration.amount) || duration.amount < 0) {
      throw new AppError("E_CALENDAR_DURATION", `duration amount must be a non-negative number, got ${duration.amount} ${duration.unit}`);
    }
    let remaining = Math.round(duration.amount * (duration.unit === "minutes" ? MINUTE : DAY));
    let cursor = start;
    for (const s of this.spells) {
      if (s.to !== null && s.to <= cursor) continue;
      if (s.from > cursor) {
        if (s.from - cursor >= remaining) return cursor + remaining;
        remaining -= s.from - cursor;
        cursor = s.from;
      }
      if (remaining === 0) return this.nextOpening(cursor);
      const available = s.to === null ? Infinity : this.business.between(cursor, s.to);
      if (available >= remaining) return this.business.add(cursor, { unit: "minutes", amount: remaining / MINUTE });
      remaining -= available;
      cursor = s.to!;
    }
    return cursor + remaining;
  }
}
