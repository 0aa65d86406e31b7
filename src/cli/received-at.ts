/**
 * `ingest --received-at`: the instant an MTA received the message, so a message queued by the MTA while the
 * desk was down still counts from its receipt. An ISO 8601 instant with its offset ("2026-11-10T09:00:00-08:00",
 * "...Z") or an RFC 2822 date as `date -R` prints it; a local time without an offset is refused (which zone?).
 * Pure.
 */
import { DateTime } from "luxon";

export type ReceivedAt = { ok: true; at: number } | { ok: false; message: string };

const HAS_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

export function parseReceivedAt(text: string): ReceivedAt {
  const value = text.trim();
  const iso = HAS_OFFSET.test(value) ? DateTime.fromISO(value, { setZone: true }) : null;
  const dt = iso?.isValid ? iso : DateTime.fromRFC2822(value, { setZone: true });
  if (dt.isValid) return { ok: true, at: dt.toMillis() };
  return {
    ok: false,
    message: `--received-at "${text}" is not an instant: give an ISO 8601 time with its offset (2026-11-10T09:00:00-08:00) or an RFC 2822 date (date -R)`,
  };
}
