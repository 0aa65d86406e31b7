/**
 * Display and input helpers around instants (luxon): for the CLI, templates and tests,
 * never for per-query calendar arithmetic.
 */
import { DateTime } from "luxon";
import { AppError } from "../errors.js";
import type { Instant } from "./types.js";
import { parseZone } from "./spec.js";

function zoneOrThrow(zone: string) {
  const z = parseZone(zone);
  if (!z) throw new AppError("E_ZONE", `"${zone}" is neither an IANA zone (America/New_York) nor a fixed offset (UTC-3)`);
  return z;
}

/** ISO 8601 with the zone's offset, e.g. "2026-03-09T10:00:00.000-07:00". */
export function formatInstant(t: Instant, zone: string): string {
  return DateTime.fromMillis(t, { zone: zoneOrThrow(zone) }).toISO() ?? String(t);
}

/**
 * Parses an ISO 8601 date-time. Text with an offset ("…-03:00", "…Z") is exact; text without one
 * is local wall time in `zone`.
 */
export function parseInstant(text: string, zone: string): Instant {
  const dt = DateTime.fromISO(text, { zone: zoneOrThrow(zone), setZone: false });
  if (!dt.isValid) throw new AppError("E_INSTANT", `"${text}" is not an ISO 8601 date-time (e.g. 2026-03-06T16:00:00-08:00): ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt.toMillis();
}
