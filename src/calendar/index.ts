/** Business calendars: build one from a spec, list holidays, format instants for people. */
export type { BusinessCalendar, BusinessDuration, CalendarSpec, Instant, OpenInterval, Weekday } from "./types.js";
export { buildCalendar } from "./calendar.js";
export { holidays, HOLIDAY_SETS, isHolidaySetName, type Holiday, type HolidaySetName } from "./holidays.js";
export { parseZone } from "./spec.js";
export { formatInstant, parseInstant } from "./format.js";
