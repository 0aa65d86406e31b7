/**
 * Time a staff member spent on a case, as written in `#time 1h30m` or `support-inbox case time N 1h30m`.
 * Pure: text in, signed minutes out. A negative entry corrects an earlier one ("#time -30m"); "nocount"
 * marks time Konneqt's seed leaves out of the query hours ([003] "except for time spent developing a fix
 * ... where an error or omission is so severe that it prevents the products from being used at even a
 * basic level").
 */

export interface TimeSpent {
  /** Signed whole minutes; never 0. */
  minutes: number;
  /** false: recorded on the case but not counted toward the organization's query hours. */
  counts: boolean;
}

/** "1h30m", "90m", "2h", "1.5h", "-30m" (no spaces inside). */
const DURATION = /^([+-])?(?:(\d+(?:\.\d+)?)h)?(?:(\d+)m(?:in)?)?$/i;
const EXAMPLES = "1h30m, 45m, 2h or -30m to correct";

export function parseDuration(text: string): { minutes: number } | { reason: string } {
  const m = DURATION.exec(text.trim());
  if (!m || (m[2] === undefined && m[3] === undefined)) return { reason: `"${text}" is not a duration; write it like ${EXAMPLES}` };
  const minutes = Math.round(Number(m[2] ?? 0) * 60) + Number(m[3] ?? 0);
  if (minutes === 0) return { reason: `"${text}" is no time at all; write it like ${EXAMPLES}` };
  return { minutes: m[1] === "-" ? -minutes : minutes };
}

/** The value of `#time`: a duration, optionally followed by "nocount". */
export function parseTimeSpent(value: string): TimeSpent | { reason: string } {
  const words = value.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { reason: `#time needs a duration, like ${EXAMPLES}` };
  const counts = !(words.length === 2 && words[1]!.toLowerCase() === "nocount");
  if (words.length > 2 || (words.length === 2 && counts)) return { reason: `#time takes a duration and optionally "nocount" (found "${value.trim()}")` };
  const d = parseDuration(words[0]!);
  return "reason" in d ? d : { minutes: d.minutes, counts };
}

/** 90 → "1h30m", -30 → "-30m", 120 → "2h". */
export function formatMinutes(minutes: number): string {
  const sign = minutes < 0 ? "-" : "";
  const abs = Math.abs(Math.round(minutes));
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `${sign}${h ? `${h}h` : ""}${m || !h ? `${m}m` : ""}`;
}

/** Hours with at most two decimals, for reports: 90 → "1.5". */
export function formatHours(minutes: number): string {
  return String(Math.round((minutes / 60) * 100) / 100);
}
