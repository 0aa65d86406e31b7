import { describe, expect, it } from "vitest";
import { buildCalendar } from "../calendar/calendar.js";
import { timelineFromEvents } from "../cases/timeline.js";
import { calendarsForPolicy } from "../sla/calendars.js";
import { evaluateCase } from "../sla/engine.js";
import { testPolicy } from "../../harness/sla/test-policy.js";
import { buildDigest, type DigestCase } from "./build.js";
import { endOfNextBusinessDay } from "./days.js";
import { NOW, SAMPLE_WEEK, trailOf } from "../../harness/digest/sample-week.js";

const policy = testPolicy();
const iso = (t: number) => new Date(t).toISOString().replace(".000", "");

function sampleCases(now = NOW): DigestCase[] {
  return SAMPLE_WEEK.map((c) => ({
    number: c.number,
    subject: c.subject,
    status: c.status,
    organization: c.organization,
    severity: { id: c.severity, name: policy.severities.find((s) => s.id === c.severity)!.name },
    policy,
    customerZone: null,
    metrics: evaluateCase({
      policy,
      calendarFor: calendarsForPolicy(policy, null),
      timeline: timelineFromEvents(trailOf(c).filter((e) => e.at <= now)),
      context: { entitlements: [] },
      now,
    }).metrics,
  }));
}

describe("buildDigest on the sample week", () => {
  const digest = buildDigest({ cases: sampleCases(), zone: "America/New_York", now: NOW });

  it("lists the breaches due in the last 24 hours and every older one still open, with business lateness and time breached", () => {
    expect(digest.breaches.map((b) => [b.caseNumber, b.metric, iso(b.dueAt), b.outcome, b.lateMs / 60_000, b.breachedMs === null ? null : b.breachedMs / 3_600_000])).toEqual([
      // Case 6 (open) missed both targets last week: still listed, however old.
      [6, "initial-response", "2026-03-05T13:00:00Z", "still open", 1440, 120],
      [6, "resolution", "2026-03-06T17:00:00Z", "still open", 720, 92],
      [1, "initial-response", "2026-03-09T14:00:00Z", "met late", 90, null],
      [2, "initial-response", "2026-03-09T16:00:00Z", "still open", 300, 21],
      [3, "resolution", "2026-03-10T10:00:00Z", "still open", 180, 3],
    ]);
  });

  it("drops an old open breach once its case is resolved, and shows a fresh one on a resolved case as such", () => {
    const resolved = sampleCases().map((c) => (c.number === 6 || c.number === 3 ? { ...c, status: "resolved" as const } : c));
    const d = buildDigest({ cases: resolved, zone: "America/New_York", now: NOW });
    expect(d.breaches.map((b) => [b.caseNumber, b.outcome])).toEqual([
      [1, "met late"],
      [2, "still open"],
      [3, "case resolved"],
    ]);
  });

  it("qualifies severity labels by policy, so two policies' levels of the same name stay apart", () => {
    const other = { ...policy, id: "other" };
    const mixed = sampleCases().map((c) => (c.number === 2 ? { ...c, policy: other } : c));
    const d = buildDigest({ cases: mixed, zone: "America/New_York", now: NOW });
    expect(d.openBySeverity).toEqual([
      { label: "other: Severity 2", count: 1 },
      { label: "test: Severity 1", count: 1 },
      { label: "test: Severity 2", count: 4 },
    ]);
    expect(d.breaches.find((b) => b.caseNumber === 2)?.severity).toBe("other: Severity 2");
  });

  it("counts refused and quarantined mail since the last digest", () => {
    const intake = { since: NOW - 86_400_000, refused: [{ label: "non-dtc", count: 2 }, { label: "unknown-sender", count: 1 }], quarantined: [{ label: "unverified-sender", count: 1 }] };
    expect(buildDigest({ cases: [], zone: "UTC", now: NOW, intake }).intake).toEqual({ ...intake, refusedTotal: 3, quarantinedTotal: 1 });
    expect(buildDigest({ cases: [], zone: "UTC", now: NOW }).intake).toBeNull();
  });

  it("lists running metrics due before the end of the next business day (Wednesday 17:00), soonest first", () => {
    expect(digest.atRisk.map((r) => [r.caseNumber, r.metric, iso(r.dueAt), r.remainingMs / 60_000])).toEqual([
      [7, "initial-response", "2026-03-10T13:45:00Z", 45],
      [5, "initial-response", "2026-03-10T15:00:00Z", 120],
      [7, "workaround", "2026-03-10T20:45:00Z", 465],
      [1, "resolution", "2026-03-11T10:00:00Z", 300],
      [2, "resolution", "2026-03-11T12:00:00Z", 420],
      [7, "resolution", "2026-03-11T12:45:00Z", 1425],
    ]);
  });

  it("counts open cases by severity (policy order) and by organization (largest first)", () => {
    expect(digest.openTotal).toBe(6);
    expect(digest.openBySeverity).toEqual([
      { label: "test: Severity 1", count: 1 },
      { label: "test: Severity 2", count: 5 },
    ]);
    expect(digest.openByOrganization).toEqual([
      { label: "Acme & <Co>", count: 3 },
      { label: "Initech", count: 2 },
      { label: "Globex", count: 1 },
    ]);
  });

  it("computes attainment: metrics decided in the window, share met on time", () => {
    // 7 days: #1 and #2 response missed, #3 response met, #3 resolution missed, #6 response and resolution missed.
    // 30 days adds #4's response and resolution, both met. Nothing of severity 1 is decided yet.
    expect(digest.attainment).toEqual([
      { severity: "test: Severity 2", last7: { met: 1, total: 6, rate: 1 / 6 }, last30: { met: 3, total: 8, rate: 3 / 8 } },
    ]);
    expect(digest.attainmentTotal.last30).toEqual({ met: 3, total: 8, rate: 3 / 8 });
    expect(digest.day).toBe("2026-03-10");
    expect(digest.empty).toBe(false);
  });

  it("is empty when nothing broke and nothing is at risk", () => {
    const quiet = sampleCases().filter((c) => c.number === 4);
    const d = buildDigest({ cases: quiet, zone: "UTC", now: NOW });
    expect(d).toMatchObject({ breaches: [], atRisk: [], openTotal: 0, empty: true });
  });

  it("names the manager's local day, not UTC's", () => {
    const lateEvening = Date.parse("2026-03-11T02:00:00Z");
    expect(buildDigest({ cases: [], zone: "America/New_York", now: lateEvening }).day).toBe("2026-03-10");
  });
});

describe("endOfNextBusinessDay", () => {
  const cal = buildCalendar(policy.calendar);
  const cases: Array<[string, string]> = [
    ["2026-03-10T13:00:00Z", "2026-03-11T17:00:00Z"], // Tuesday → Wednesday's close
    ["2026-03-09T07:00:00Z", "2026-03-10T17:00:00Z"], // Monday before opening → still Tuesday
    ["2026-03-13T16:00:00Z", "2026-03-16T17:00:00Z"], // Friday → Monday
    ["2026-03-14T10:00:00Z", "2026-03-16T17:00:00Z"], // Saturday → Monday
  ];
  it.each(cases)("at %s → %s", (now, expected) => {
    expect(iso(endOfNextBusinessDay(cal, Date.parse(now)))).toBe(expected);
  });

  it("skips a holiday and uses the calendar's zone", () => {
    const ny = buildCalendar({ zone: "America/New_York", week: policy.calendar.week, holidays: [], closedDates: ["2026-03-11"] });
    // Tuesday 22:00 New York is Wednesday 02:00 UTC; Wednesday is closed, so Thursday 17:00 EDT.
    expect(iso(endOfNextBusinessDay(ny, Date.parse("2026-03-11T02:00:00Z")))).toBe("2026-03-12T21:00:00Z");
  });

  it("on a 24x7 calendar is the end of tomorrow", () => {
    const always = buildCalendar({ zone: "UTC", week: "24x7", holidays: [] });
    expect(iso(endOfNextBusinessDay(always, Date.parse("2026-03-14T10:00:00Z")))).toBe("2026-03-16T00:00:00Z");
  });
});
