/**
 * How instants, spans and metrics read in mail: "Mon 23 Nov 2026, 10:00 PST", "2 h 30 min of business time".
 * Pure: zone and instant in, text out.
 */
import { DateTime, Info } from "luxon";
import type { MetricId } from "../policy/types.js";

export const METRIC_LABELS: Record<MetricId, string> = {
  "initial-response": "first response",
  "ongoing-response": "next response",
  "status-update": "status update",
  workaround: "workaround",
  resolution: "resolution",
};

/** Luxon reads "UTC-3" as a fixed offset and IANA names as such; anything else falls back to UTC. */
export function formatDue(instant: number, zone: string): string {
  const dt = DateTime.fromMillis(instant, { zone });
  const valid = dt.isValid ? dt : DateTime.fromMillis(instant, { zone: "UTC" });
  return valid.toFormat("ccc d LLL yyyy, HH:mm ZZZZ");
}

/** "2 h 30 min", "1 day 3 h" (days of 24 h only for wall-clock spans), never negative. */
export function formatSpan(ms: number, opts: { business: boolean } = { business: true }): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts: string[] = [];
  if (!opts.business && h >= 24) {
    parts.push(`${Math.floor(h / 24)} day${Math.floor(h / 24) === 1 ? "" : "s"}`);
    if (h % 24) parts.push(`${h % 24} h`);
  } else if (h) parts.push(`${h} h`);
  if (m || parts.length === 0) parts.push(`${m} min`);
  return parts.join(" ") + (opts.business ? " of business time" : "");
}

/** The zone a person reads times in: the contact's, else the organization's, else the policy's. */
export function readerZone(...candidates: Array<string | null | undefined>): string {
  for (const z of candidates) if (z && Info.normalizeZone(z).isValid) return z;
  return "UTC";
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}
