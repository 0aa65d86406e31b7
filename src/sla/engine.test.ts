import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { calendarsForPolicy } from "./calendars.js";
import { evaluateCase } from "./engine.js";
import { at, opened, testPolicy } from "../../harness/sla/test-policy.js";
import type { MetricStatus, SlaEvaluation, TimelineEvent } from "./types.js";

const policy = testPolicy();
const MIN = 60_000;
const HOUR = 60 * MIN;

function evaluate(timeline: TimelineEvent[], nowIso: string, remindersSent: string[] = [], p = policy): SlaEvaluation {
  return evaluateCase({ policy: p, calendarFor: calendarsForPolicy(p), timeline, context: { entitlements: [], remindersSent }, now: at(nowIso) });
}

function metric(e: SlaEvaluation, id: MetricStatus["metric"]): MetricStatus {
  const m = e.metrics.find((x) => x.metric === id);
  if (!m) throw new Error(`metric ${id} absent; have ${e.metrics.map((x) => x.metric).join(", ")}`);
  return m;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

// 2026-03-02 is a Monday.
const OPEN = opened("2026-03-02T10:00:00Z");
const ACK: TimelineEvent = { kind: "acknowledged", at: at("2026-03-02T10:00:05Z") };
const reply = (s: string, isPublic = true): TimelineEvent => ({ kind: "staff-replied", at: at(s), public: isPublic });
const customer = (s: string): TimelineEvent => ({ kind: "customer-replied", at: at(s) });
const status = (s: string, st: "open" | "waiting" | "resolved" | "closed"): TimelineEvent => ({ kind: "status-changed", at: at(s), status: st });

describe("initial response", () => {
  it("is not met by the automatic acknowledgment or a private note, only by a public staff reply", () => {
    const running = evaluate([OPEN, ACK, reply("2026-03-02T10:30:00Z", false)], "2026-03-02T10:45:00Z");
    const ir = metric(running, "initial-response");
    expect(ir).toMatchObject({ state: "running", metAt: null, remainingMs: 15 * MIN, targetText: "1 hours" });
    expect(iso(ir.dueAt)).toBe("2026-03-02T11:00:00.000Z");

    const met = evaluate([OPEN, ACK, reply("2026-03-02T10:50:00Z")], "2026-03-02T12:00:00Z");
    expect(metric(met, "initial-response")).toMatchObject({ state: "met", metAt: at("2026-03-02T10:50:00Z"), remainingMs: 10 * MIN });
  });

  it("is breached once now passes the due time, and breached-met when answered late", () => {
    expect(metric(evaluate([OPEN], "2026-03-02T11:30:00Z"), "initial-response")).toMatchObject({ state: "breached", remainingMs: -30 * MIN });
    expect(metric(evaluate([OPEN], "2026-03-02T11:00:00Z"), "initial-response").state).toBe("running");
    const late = evaluate([OPEN, reply("2026-03-02T11:40:00Z")], "2026-03-02T12:00:00Z");
    expect(metric(late, "initial-response")).toMatchObject({ state: "breached-met", remainingMs: -40 * MIN });
  });

  it("counts business hours on business coverage: Friday 16:00 + 4 business hours is Monday 12:00", () => {
    const e = evaluate([opened("2026-03-06T16:00:00Z", "2")], "2026-03-06T16:00:00Z");
    expect(iso(metric(e, "initial-response").dueAt)).toBe("2026-03-09T12:00:00.000Z");
    expect(metric(e, "initial-response").remainingMs).toBe(4 * HOUR);
  });

  it("ignores events recorded after now", () => {
    const e = evaluate([OPEN, reply("2026-03-02T10:50:00Z")], "2026-03-02T10:40:00Z");
    expect(metric(e, "initial-response").state).toBe("running");
  });
});

describe("which metrics appear", () => {
  it("lists only metrics with a target, and repeating ones once they have started", () => {
    expect(evaluate([opened("2026-03-02T10:00:00Z", "2")], "2026-03-02T10:00:00Z").metrics.map((m) => m.metric)).toEqual(["initial-response", "resolution"]);
    expect(evaluate([OPEN], "2026-03-02T10:00:00Z").metrics.map((m) => m.metric)).toEqual(["initial-response", "workaround", "resolution"]);
  });

  it("returns nothing for a severity the policy has no service level for", () => {
    expect(evaluate([opened("2026-03-02T10:00:00Z", "9")], "2026-03-02T10:00:00Z")).toEqual({ metrics: [], due: [], next: null, nextActionAt: null });
  });

  it("refuses a timeline without an opening", () => {
    expect(() => evaluate([ACK], "2026-03-02T11:00:00Z")).toThrow(AppError);
  });
});

describe("waiting on the customer", () => {
  const waited = [OPEN, ACK, status("2026-03-02T10:10:00Z", "waiting"), status("2026-03-02T12:10:00Z", "open")];

  it("pauses workaround and resolution by exactly the waiting time, but never the initial response", () => {
    const e = evaluate(waited, "2026-03-02T12:30:00Z");
    expect(metric(e, "initial-response").state).toBe("breached");
    expect(iso(metric(e, "workaround").dueAt)).toBe("2026-03-02T20:00:05.000Z");
    expect(iso(metric(e, "resolution").dueAt)).toBe("2026-03-03T12:00:05.000Z");
  });

  it("reports a paused clock while waiting, with its remaining time frozen and no next action from it", () => {
    const e = evaluate(waited.slice(0, 3), "2026-03-02T11:10:00Z");
    const w = metric(e, "workaround");
    expect(w.state).toBe("paused");
    expect(w.remainingMs).toBe(8 * HOUR - (10 * MIN - 5000));
    expect(evaluate(waited.slice(0, 3), "2026-03-02T15:10:00Z").metrics.find((m) => m.metric === "workaround")!.remainingMs).toBe(w.remainingMs);
    // Only the (breached) initial response could act, and it is past: nothing to schedule.
    expect(e.nextActionAt).toBeNull();
  });
});

describe("ongoing response", () => {
  it("starts a cycle at each customer message after a staff reply; later messages join the same cycle", () => {
    const t = [OPEN, reply("2026-03-02T10:30:00Z"), customer("2026-03-02T11:00:00Z"), customer("2026-03-02T11:30:00Z")];
    const c0 = metric(evaluate(t, "2026-03-02T11:45:00Z"), "ongoing-response");
    expect(c0).toMatchObject({ cycle: 0, start: at("2026-03-02T11:00:00Z"), state: "running" });
    expect(iso(c0.dueAt)).toBe("2026-03-02T13:00:00.000Z");

    const t2 = [...t, reply("2026-03-02T12:00:00Z"), customer("2026-03-02T14:00:00Z")];
    const c1 = metric(evaluate(t2, "2026-03-02T14:10:00Z"), "ongoing-response");
    expect(c1).toMatchObject({ cycle: 1, start: at("2026-03-02T14:00:00Z"), state: "running", metAt: null });
    expect(metric(evaluate(t2.slice(0, 5), "2026-03-02T12:10:00Z"), "ongoing-response")).toMatchObject({ cycle: 0, state: "met" });
  });

  it("does not start before the first staff reply", () => {
    const e = evaluate([OPEN, customer("2026-03-02T10:20:00Z")], "2026-03-02T10:30:00Z");
    expect(e.metrics.some((m) => m.metric === "ongoing-response")).toBe(false);
  });
});

describe("status updates", () => {
  it("are owed every 4 hours after each public reply, not counting time waiting on the customer", () => {
    const t = [OPEN, reply("2026-03-02T10:30:00Z")];
    expect(iso(metric(evaluate(t, "2026-03-02T11:00:00Z"), "status-update").dueAt)).toBe("2026-03-02T14:30:00.000Z");
    const t2 = [...t, reply("2026-03-02T13:00:00Z"), status("2026-03-02T14:00:00Z", "waiting"), status("2026-03-02T15:00:00Z", "open")];
    const su = metric(evaluate(t2, "2026-03-02T15:30:00Z"), "status-update");
    expect(su.cycle).toBe(1);
    expect(iso(su.dueAt)).toBe("2026-03-02T18:00:00.000Z");
  });
});

describe("severity and type changes", () => {
  it("recompute due times from the original start with the new service level", () => {
    const s2 = opened("2026-03-02T10:00:00Z", "2");
    expect(iso(metric(evaluate([s2], "2026-03-02T10:20:00Z"), "initial-response").dueAt)).toBe("2026-03-02T14:00:00.000Z");
    const up: TimelineEvent = { kind: "severity-changed", at: at("2026-03-02T10:30:00Z"), severity: "1" };
    const e = evaluate([s2, up], "2026-03-02T10:40:00Z");
    expect(metric(e, "initial-response")).toMatchObject({ start: at("2026-03-02T10:00:00Z"), targetText: "1 hours" });
    expect(iso(metric(e, "initial-response").dueAt)).toBe("2026-03-02T11:00:00.000Z");
    const toQuery: TimelineEvent = { kind: "type-changed", at: at("2026-03-02T10:30:00Z"), caseType: "query" };
    expect(iso(metric(evaluate([s2, toQuery], "2026-03-02T10:40:00Z"), "initial-response").dueAt)).toBe("2026-03-03T10:00:00.000Z");
  });
});

describe("resolution and reopening", () => {
  const resolved = [OPEN, ACK, reply("2026-03-02T11:00:00Z"), status("2026-03-02T14:00:05Z", "resolved")];

  it("meets workaround and resolution at the resolution", () => {
    const e = evaluate(resolved, "2026-03-02T15:00:00Z");
    expect(metric(e, "workaround")).toMatchObject({ state: "met", metAt: at("2026-03-02T14:00:05Z") });
    expect(metric(e, "resolution")).toMatchObject({ state: "met", remainingMs: 20 * HOUR });
    expect(e.nextActionAt).toBeNull();
  });

  it("continues the same clocks after a reopen, without counting the time spent resolved", () => {
    const e = evaluate([...resolved, status("2026-03-03T14:00:05Z", "open")], "2026-03-03T15:00:05Z");
    expect(metric(e, "resolution")).toMatchObject({ state: "running", cycle: 0, metAt: null, remainingMs: 19 * HOUR });
    expect(iso(metric(e, "workaround").dueAt)).toBe("2026-03-03T18:00:05.000Z");
  });

  it("keeps a workaround met when one was actually provided", () => {
    const wa: TimelineEvent = { kind: "workaround-provided", at: at("2026-03-02T12:00:00Z") };
    const e = evaluate([...resolved, wa, status("2026-03-03T14:00:05Z", "open")].sort((a, b) => a.at - b.at), "2026-03-03T15:00:00Z");
    expect(metric(e, "workaround")).toMatchObject({ state: "met", metAt: at("2026-03-02T12:00:00Z") });
  });
});

describe("reminders", () => {
  it("are owed at 50 %, 80 % and the breach, each once", () => {
    const e = evaluate([OPEN], "2026-03-02T10:40:00Z");
    expect(e.due.map((r) => r.key)).toEqual(["initial-response:0:0.5"]);
    expect(e.due[0]).toMatchObject({ at: at("2026-03-02T10:30:00Z"), notify: ["assignee"], threshold: 0.5 });
    expect(e.next).toMatchObject({ key: "initial-response:0:0.8", at: at("2026-03-02T10:48:00Z") });
    expect(e.nextActionAt).toBe(at("2026-03-02T10:48:00Z"));

    expect(evaluate([OPEN], "2026-03-02T10:40:00Z", ["initial-response:0:0.5"]).due).toEqual([]);
    const later = evaluate([OPEN], "2026-03-02T11:05:00Z", ["initial-response:0:0.5"]);
    expect(later.due.map((r) => r.key)).toEqual(["initial-response:0:0.8", "initial-response:0:1"]);
    expect(later.next).toMatchObject({ key: "workaround:0:0.5", at: at("2026-03-02T14:00:00Z") });
  });

  it("are not owed for a met metric", () => {
    const e = evaluate([OPEN, reply("2026-03-02T10:20:00Z")], "2026-03-02T11:30:00Z");
    expect(e.due.filter((r) => r.metric === "initial-response")).toEqual([]);
  });

  it("move later by the paused time, and respect metric and severity filters", () => {
    const p = testPolicy({ reminders: [{ at: 0.5, notify: ["team"], metrics: ["workaround"], severities: ["1"] }] });
    const t = [OPEN, ACK, status("2026-03-02T11:00:00Z", "waiting"), status("2026-03-02T13:00:00Z", "open")];
    const e = evaluate(t, "2026-03-02T13:00:00Z", [], p);
    expect(e.due).toEqual([]);
    expect(e.next).toMatchObject({ key: "workaround:0:0.5", at: at("2026-03-02T16:00:05Z") });
    expect(evaluate([opened("2026-03-02T10:00:00Z", "2")], "2026-03-02T10:00:00Z", [], p).next).toBeNull();
  });
});
