/**
 * Seed-like calendar specs shared by the calendar tests and the benchmark (the policies in
 * policies/*.yaml are the source of truth for the product; these only mirror their hours).
 */
import type { CalendarSpec, OpenInterval, Weekday } from "../../src/calendar/types.js";

export function weekdays(from: string, to: string): Partial<Record<Weekday, OpenInterval[]>> {
  const days: Weekday[] = ["mon", "tue", "wed", "thu", "fri"];
  return Object.fromEntries(days.map((d) => [d, [{ from, to }]]));
}

/** VANTIQ: weekdays 08:00–18:00 Pacific, no holiday set in the seed. */
export const VANTIQ: CalendarSpec = { zone: "America/Los_Angeles", week: weekdays("08:00", "18:00"), holidays: [] };
/** CIQ standard in New York: 08:00–18:00, U.S. bank holidays. */
export const CIQ_NEW_YORK: CalendarSpec = { zone: "America/New_York", week: weekdays("08:00", "18:00"), holidays: ["us-federal-reserve"] };
/** Konneqt Enterprise (8×5) in New York, U.S. public holidays. */
export const KONNEQT_ENTERPRISE: CalendarSpec = { zone: "America/New_York", week: weekdays("08:00", "17:00"), holidays: ["us-federal"] };
/** Konneqt Basic: 12×5, 08:00–20:00 GMT-3 (a fixed offset, never DST). */
export const KONNEQT_BASIC: CalendarSpec = { zone: "UTC-3", week: weekdays("08:00", "20:00"), holidays: [] };
