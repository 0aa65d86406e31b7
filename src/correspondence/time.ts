/**
 * Time recorded on a case from the command line (`support-inbox case time N 1h30m`): the same `time-recorded`
 * event a staff member's `#time` line records, and the same query-hours notices after it, in one transaction.
 */
import type { Desk } from "../desk.js";
import type { TimeSpent } from "../cases/time-entry.js";
import type { OutgoingKind } from "../outbox/headers.js";
import type { Db } from "../store/database.js";
import type { Case } from "../store/repos/cases.js";
import { appendEvent } from "../store/repos/events.js";
import { queueQueryHourNotices } from "./query-hours.js";

export async function recordTime(tx: Db, desk: Desk, caseRow: Case, entry: TimeSpent & { note: string | null; actor: string }, now: number): Promise<OutgoingKind[]> {
  const data = { minutes: entry.minutes, counts: entry.counts, ...(entry.note ? { note: entry.note } : {}) };
  await appendEvent(tx, { caseId: caseRow.id, at: new Date(now), actor: entry.actor, kind: "time-recorded", data });
  return queueQueryHourNotices(tx, desk, caseRow, now);
}
