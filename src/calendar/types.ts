/**
 * Business calendars: the contract the policy loader, the SLA engine and the mail templates share.
 * Pure data; the implementation (src/calendar/*.ts) builds epoch-millisecond tables from a spec.
 */

/** Epoch milliseconds, UTC. The core never deals in Date objects or local wall-clock strings. */
export type Instant = number;

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** One open interval of a day, local wall-clock "HH:MM"; `to` may be "24:00". */
export interface OpenInterval {
  from: string;
  to: string;
}

export interface CalendarSpec {
  /**
   * IANA zone ("America/Los_Angeles") or a fixed offset ("UTC-3"): a fixed offset never observes DST,
   * which is what Konneqt's "GMT-3" means (not São Paulo time).
   */
  zone: string;
  /** Weekly open hours; "24x7" is always open (holidays do not apply to it). */
  week: "24x7" | Partial<Record<Weekday, OpenInterval[]>>;
  /** Holiday sets computed by rule: "us-federal-reserve" | "us-federal". */
  holidays: string[];
  /** Extra closed dates, "YYYY-MM-DD" in the calendar's zone (explicit holidays, per-organization closures). */
  closedDates?: string[];
}

/**
 * A span of time to add on a calendar.
 * - minutes: business minutes (open time) of the calendar; on a 24x7 calendar these are wall-clock minutes.
 * - days: whole business days; one business day is one full open day of that calendar
 *   ("1 business week" is written as 5 days).
 */
export type BusinessDuration = { unit: "minutes"; amount: number } | { unit: "days"; amount: number };

export interface BusinessCalendar {
  readonly spec: CalendarSpec;
  /**
   * The earliest instant at which `duration` of open time has elapsed since `start`.
   * A start outside business hours counts from the next opening; a result landing exactly on a close
   * is that close (Thursday 18:00, not Friday 08:00).
   */
  add(start: Instant, duration: BusinessDuration): Instant;
  /** Open time in milliseconds between two instants (0 when b <= a). */
  between(a: Instant, b: Instant): number;
  isOpen(t: Instant): boolean;
  /** `t` itself when open, else the start of the next open interval. */
  nextOpening(t: Instant): Instant;
}
