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

const DUE_FORMAT = "ccc d LLL yyyy, HH:mm ZZZZ";

/** Luxon reads "UTC-3" as a fixed offset and IANA names as such; anything else falls back to UTC. */
export function formatDueWithLuxon(instant: number, zone: string): string {
  const dt = DateTime.fromMillis(instant, { zone });
  const valid = dt.isValid ? dt : DateTime.fromMillis(instant, { zone: "UTC" });
  return valid.toFormat(DUE_FORMAT);
}

/** One Intl formatter per IANA zone: luxon asks Intl for the offset again on every call, which a
 * scheduler tick rendering a thousand reminders pays for dearly. null: not an IANA zone (use luxon). */
const intlByZone = new Map<string, Intl.DateTimeFormat | null>();

function intlFormatter(zone: string): Intl.DateTimeFormat | null {
  let f = intlByZone.get(zone);
  if (f === undefined) {
    try {
      f = /^[A-Za-z]+\/[A-Za-z_\-/+0-9]+$/.test(zone)
        ? new Intl.DateTimeFormat("en-US", {
            timeZone: zone,
            weekday: "short",
            day: "numeric",
            month: "short",
            year: "numeric",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
            timeZoneName: "short",
          })
        : null;
    } catch {
      f = null; // an unknown zone name: luxon's fallback to UTC decides
    }
    intlByZone.set(zone, f);
  }
  return f;
}

/** "Mon 23 Nov 2026, 10:00 PST": the same text as formatDueWithLuxon, faster for IANA zones. */
export function formatDue(instant: number, zone: string): string {
  const f = intlFormatter(zone);
  if (!f) return formatDueWithLuxon(instant, zone);
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(instant)) p[part.type] = part.value;
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${p.timeZoneName}`;
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
