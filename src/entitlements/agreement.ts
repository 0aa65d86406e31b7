/**
 * What an organization's contract adds beyond service levels, stored as one JSON document on the
 * organization (organizations.agreement) and read from the contract YAML (`org contract NAME FILE`):
 * the ticket allowance and its carry-over cap, and the customer's own business hours. Plain data.
 */
import type { CalendarSpec } from "../calendar/types.js";

/** Business hours agreed with one customer ("or as agreed"): they replace the policy calendar for it. */
export interface AgreedHours {
  zone: string;
  week: CalendarSpec["week"];
  holidays: string[];
  closedDates?: string[];
  /** For acknowledgments: "weekdays 09:00–17:00 Berlin time". */
  description: string;
}

export interface Agreement {
  /** Replaces the policy's tickets per year (Infotecs: "up to 40 Tickets per year", or as agreed). */
  ticketsPerYear?: number;
  /** At most this many unused tickets carry over to the next contract year; absent: no cap. */
  carryOverCap?: number;
  hours?: AgreedHours;
  /**
   * Query hours "as specified in the Subscription Order Form" ([003]): its own limits per case type (else the
   * policy's queryHourLimits) and what happens once they are used up (mark: open as over-limit; refuse).
   */
  queryHours?: { limits?: Record<string, number>; enforce?: "mark" | "refuse" };
}
