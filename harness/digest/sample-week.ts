/**
 * A seeded week on the small test policy (UTC desk, Mon–Fri 09:00–17:00; severity 1 counts wall time),
 * with breaches, met and at-risk metrics at known instants. Shared by the builder's unit tests; the
 * database tests seed the same story. "Now" is Tuesday 10 March 2026, 13:00 UTC.
 */
import type { StoredEvent } from "../../src/cases/timeline.js";

export const NOW = Date.parse("2026-03-10T13:00:00Z");

export interface SampleCase {
  number: number;
  organization: string;
  subject: string;
  severity: "1" | "2";
  status: "open" | "resolved";
  /** ISO instants (UTC) of what happened. */
  events: Array<[kind: "opened" | "staff-replied" | "resolved", iso: string]>;
}

export const SAMPLE_WEEK: SampleCase[] = [
  // Initial response due Mon 14:00, answered 15:30: met late by 1 h 30. Resolution due Wed 10:00: at risk.
  { number: 1, organization: "Acme & <Co>", subject: "Login <script>alert(1)</script> fails", severity: "2", status: "open", events: [["opened", "2026-03-09T10:00:00Z"], ["staff-replied", "2026-03-09T15:30:00Z"]] },
  // Initial response due Mon 16:00, never answered: 5 business hours late. Resolution due Wed 12:00: at risk.
  { number: 2, organization: "Globex", subject: "Queue stuck", severity: "2", status: "open", events: [["opened", "2026-03-09T12:00:00Z"]] },
  // Answered on time on Friday; resolution due Tue 10:00 missed: 3 h late.
  { number: 3, organization: "Acme & <Co>", subject: "Slow reports", severity: "2", status: "open", events: [["opened", "2026-03-06T10:00:00Z"], ["staff-replied", "2026-03-06T11:00:00Z"]] },
  // Last week, all on time and resolved: counts in the 30-day attainment only.
  { number: 4, organization: "Globex", subject: "Password reset", severity: "2", status: "resolved", events: [["opened", "2026-03-02T09:00:00Z"], ["staff-replied", "2026-03-02T10:00:00Z"], ["resolved", "2026-03-02T15:00:00Z"]] },
  // Opened today at 11:00: first response due 15:00, at risk with 2 h left.
  { number: 5, organization: "Acme & <Co>", subject: "Export question", severity: "2", status: "open", events: [["opened", "2026-03-10T11:00:00Z"]] },
  // Last Thursday, never answered: both breaches are older than 24 hours (attainment only).
  { number: 6, organization: "Initech", subject: "Crash on start", severity: "2", status: "open", events: [["opened", "2026-03-05T09:00:00Z"]] },
  // Severity 1 (wall time) opened 12:45: response 13:45, workaround 20:45, resolution Wed 12:45, all at risk.
  { number: 7, organization: "Initech", subject: "Production down", severity: "1", status: "open", events: [["opened", "2026-03-10T12:45:00Z"]] },
];

/** The stored trail of a sample case, as case_events rows would hold it. */
export function trailOf(c: SampleCase): StoredEvent[] {
  return c.events.map(([kind, iso]): StoredEvent => {
    const at = Date.parse(iso);
    if (kind === "opened") return { kind, at, data: { caseType: "incident", severity: c.severity, environment: "production" } };
    if (kind === "staff-replied") return { kind, at, data: { public: true } };
    return { kind: "status-changed", at, data: { status: "resolved" } };
  });
}
