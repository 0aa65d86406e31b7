/**
 * Table tests on the bundled policies and the real calendars: the due times a support manager would check
 * against the seed documents.
 */
import { describe, expect, it } from "vitest";
import { formatInstant } from "../calendar/format.js";
import { loadBundledPolicies } from "../policy/load.js";
import type { MetricId } from "../policy/types.js";
import { calendarsForPolicy, effectiveZone } from "./calendars.js";
import { evaluateCase } from "./engine.js";
import type { SlaEvaluation, TimelineEvent } from "./types.js";

const policies = loadBundledPolicies();
const at = (iso: string) => Date.parse(iso);

interface Case {
  policy: string;
  severity: string;
  caseType?: "incident" | "query";
  environment?: "production" | "development";
  entitlements?: string[];
  zone?: string;
  events?: TimelineEvent[];
  sent?: string[];
}

function evaluate(c: Case, openedIso: string, nowIso = openedIso): SlaEvaluation {
  const policy = policies.get(c.policy)!;
  const opened: TimelineEvent = { kind: "opened", at: at(openedIso), caseType: c.caseType ?? "incident", severity: c.severity, environment: c.environment ?? "production" };
  return evaluateCase({
    policy,
    calendarFor: calendarsForPolicy(policy, c.zone),
    timeline: [opened, ...(c.events ?? [])],
    context: { entitlements: c.entitlements ?? [], customerZone: c.zone ?? null, remindersSent: c.sent ?? [] },
    now: at(nowIso),
  });
}

/** Due time of a metric, written in the zone the policy's clocks use for this customer (to the minute). */
function due(c: Case, openedIso: string, metric: MetricId = "initial-response", nowIso = openedIso): string {
  const m = evaluate(c, openedIso, nowIso).metrics.find((x) => x.metric === metric);
  if (!m) throw new Error(`${metric} absent`);
  return formatInstant(m.dueAt, effectiveZone(policies.get(c.policy)!, c.zone)).replace(":00.000", "");
}

describe("due times from the seeds", () => {
  it.each<[string, Case, string, string]>([
    ["VANTIQ S2 Friday 16:00 Pacific → Monday 10:00", { policy: "vantiq", severity: "2" }, "2026-11-20T16:00:00-08:00", "2026-11-23T10:00-08:00"],
    ["VANTIQ S1 production with 24x7 add-on, Saturday 10:00 → Saturday 14:00", { policy: "vantiq", severity: "1", entitlements: ["24x7-sev1"] }, "2026-11-21T10:00:00-08:00", "2026-11-21T14:00-08:00"],
    ["VANTIQ S1 production without the add-on, Saturday 10:00 → Monday 12:00", { policy: "vantiq", severity: "1" }, "2026-11-21T10:00:00-08:00", "2026-11-23T12:00-08:00"],
    ["CIQ standard S1 Saturday 03:00 New York → Monday 09:00", { policy: "ciq-standard", severity: "1", zone: "America/New_York" }, "2026-05-16T03:00:00-04:00", "2026-05-18T09:00-04:00"],
    ["CIQ standard follows the customer: Saturday 03:00 Chicago → Monday 09:00 Chicago", { policy: "ciq-standard", severity: "1", zone: "America/Chicago" }, "2026-05-16T03:00:00-05:00", "2026-05-18T09:00-05:00"],
    ["CIQ S4 (2 business days) Wednesday before Thanksgiving → Monday", { policy: "ciq-standard", severity: "4", zone: "America/New_York" }, "2026-11-25T10:00:00-05:00", "2026-11-30T10:00-05:00"],
    ["CIQ premium S1 with a named contact, Saturday 03:00 → 03:30", { policy: "ciq-premium", severity: "1", entitlements: ["named-contact"], zone: "America/New_York" }, "2026-05-16T03:00:00-04:00", "2026-05-16T03:30-04:00"],
    ["CIQ premium S1 without a named contact → Monday 09:00", { policy: "ciq-premium", severity: "1", zone: "America/New_York" }, "2026-05-16T03:00:00-04:00", "2026-05-18T09:00-04:00"],
    ["Konneqt Basic P2 Friday 19:00 GMT-3 → Monday 11:00 GMT-3", { policy: "konneqt-basic", severity: "P2" }, "2026-03-06T19:00:00-03:00", "2026-03-09T11:00-03:00"],
    ["DST March: VANTIQ S2 Friday 16:00 PST → Monday 10:00 PDT", { policy: "vantiq", severity: "2" }, "2026-03-06T16:00:00-08:00", "2026-03-09T10:00-07:00"],
    ["DST November: VANTIQ S2 Friday 16:00 PDT → Monday 10:00 PST", { policy: "vantiq", severity: "2" }, "2026-10-30T16:00:00-07:00", "2026-11-02T10:00-08:00"],
    ["DST March 24x7: Saturday 23:00 PST + 4 hours → Sunday 04:00 PDT", { policy: "vantiq", severity: "1", entitlements: ["24x7-sev1"] }, "2026-03-07T23:00:00-08:00", "2026-03-08T04:00-07:00"],
    ["DST November, CIQ S3 (1 business day) Friday 12:00 EDT → Monday 12:00 EST", { policy: "ciq-standard", severity: "3", zone: "America/New_York" }, "2026-10-30T12:00:00-04:00", "2026-11-02T12:00-05:00"],
  ])("%s", (_name, c, opened, expected) => {
    expect(due(c, opened)).toBe(expected);
  });

  it("reports Konneqt Enterprise P3's resolution as one business week, across Thanksgiving", () => {
    expect(due({ policy: "konneqt-enterprise", severity: "P3" }, "2026-11-23T10:00:00-05:00", "resolution")).toBe("2026-12-01T10:00-05:00");
  });
});

describe("case histories on the bundled policies", () => {
  const K = { policy: "konneqt-enterprise", severity: "P1" } as const;
  const OPEN = "2026-03-02T10:00:00-05:00"; // a Monday
  const ack: TimelineEvent = { kind: "acknowledged", at: at("2026-03-02T10:01:00-05:00") };
  const status = (iso: string, s: "open" | "waiting" | "resolved"): TimelineEvent => ({ kind: "status-changed", at: at(iso), status: s });
  const reply = (iso: string): TimelineEvent => ({ kind: "staff-replied", at: at(iso), public: true });

  it("waiting on the customer pauses the workaround (from the acknowledgment) but not the initial response", () => {
    const events = [ack, status("2026-03-02T10:30:00-05:00", "waiting"), status("2026-03-02T12:30:00-05:00", "open")];
    const now = "2026-03-02T13:00:00-05:00";
    expect(due({ ...K, events }, OPEN, "initial-response", now)).toBe("2026-03-02T11:00-05:00");
    // "24 hours" read as 1 business day: from Monday 10:01 it is Tuesday 10:01; two hours waiting push it to 12:01.
    expect(due({ ...K }, OPEN, "workaround", OPEN)).toBe("2026-03-03T10:00-05:00");
    expect(due({ ...K, events }, OPEN, "workaround", now)).toBe("2026-03-03T12:01-05:00");
    expect(evaluate({ ...K, events }, OPEN, now).metrics.find((m) => m.metric === "initial-response")!.state).toBe("breached");
  });

  it("a severity change recomputes from the original start: P3 → P1 after 30 minutes is due at 11:00", () => {
    const events: TimelineEvent[] = [{ kind: "severity-changed", at: at("2026-03-02T10:30:00-05:00"), severity: "P1" }];
    expect(due({ policy: "konneqt-enterprise", severity: "P3" }, OPEN)).toBe("2026-03-02T16:00-05:00");
    expect(due({ policy: "konneqt-enterprise", severity: "P3", events }, OPEN, "initial-response", "2026-03-02T10:45:00-05:00")).toBe("2026-03-02T11:00-05:00");
  });

  it("CIQ ongoing response restarts with each customer message after a reply", () => {
    const c = { policy: "ciq-standard", severity: "2", zone: "America/New_York" };
    const events: TimelineEvent[] = [
      reply("2026-03-02T10:30:00-05:00"),
      { kind: "customer-replied", at: at("2026-03-02T16:00:00-05:00") },
      reply("2026-03-03T09:00:00-05:00"),
      { kind: "customer-replied", at: at("2026-03-03T17:00:00-05:00") },
    ];
    const e = evaluate({ ...c, events }, OPEN, "2026-03-03T17:30:00-05:00");
    const ongoing = e.metrics.find((m) => m.metric === "ongoing-response")!;
    expect(ongoing).toMatchObject({ cycle: 1, state: "running" });
    expect(formatInstant(ongoing.dueAt, "America/New_York")).toBe("2026-03-04T11:00:00.000-05:00");
  });

  it("Konneqt status updates are owed every 4 business hours after each public reply", () => {
    const events = [ack, reply("2026-03-02T10:30:00-05:00")];
    expect(due({ ...K, events }, OPEN, "status-update", "2026-03-02T11:00:00-05:00")).toBe("2026-03-02T14:30-05:00");
    const more = [...events, reply("2026-03-02T14:00:00-05:00")];
    expect(due({ ...K, events: more }, OPEN, "status-update", "2026-03-02T14:10:00-05:00")).toBe("2026-03-03T10:00-05:00");
  });

  it("reminders at 50 %, 80 % and the breach are owed once each", () => {
    const c = { policy: "vantiq", severity: "2" };
    const open = "2026-03-02T08:00:00-08:00"; // 4 business hours: 10:00, 11:12, 12:00
    const keys = (e: SlaEvaluation) => e.due.map((r) => r.key);
    expect(keys(evaluate(c, open, "2026-03-02T10:30:00-08:00"))).toEqual(["initial-response:0:0.5"]);
    expect(keys(evaluate({ ...c, sent: ["initial-response:0:0.5"] }, open, "2026-03-02T10:30:00-08:00"))).toEqual([]);
    const e = evaluate({ ...c, sent: ["initial-response:0:0.5"] }, open, "2026-03-02T12:00:00-08:00");
    expect(keys(e)).toEqual(["initial-response:0:0.8", "initial-response:0:1"]);
    expect(e.due[1]!.notify).toEqual(["assignee", "managers"]);
    expect(keys(evaluate({ ...c, sent: keys(e).concat("initial-response:0:0.5") }, open, "2026-03-02T13:00:00-08:00"))).toEqual([]);
  });

  it("Konneqt's breach of a workaround notifies the executives too, in one reminder", () => {
    const e = evaluate({ ...K, events: [ack] }, OPEN, "2026-03-05T10:30:00-05:00");
    const breach = e.due.find((r) => r.key === "workaround:0:1")!;
    expect(breach.notify).toEqual(["assignee", "managers", "executives"]);
    expect(e.due.filter((r) => r.key === "workaround:0:1")).toHaveLength(1);
  });
});
