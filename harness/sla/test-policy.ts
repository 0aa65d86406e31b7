/**
 * A small policy written as plain data, for the engine's unit tests: a UTC desk open Mon–Fri 09:00–17:00,
 * incidents "1" (24x7 wall-clock) and "2" (business hours), reminders at 50 %, 80 % and breach.
 * Only imported by tests.
 */
import type { Policy } from "../../src/policy/types.js";
import type { TimelineEvent } from "../../src/sla/types.js";

const hours = (h: number, text = `${h} hours`) => ({ duration: { unit: "minutes" as const, amount: h * 60 }, text });

export function testPolicy(overrides: Partial<Policy> = {}): Policy {
  const nineToFive = [{ from: "09:00", to: "17:00" }];
  return {
    id: "test",
    name: "Test policy",
    seed: "none",
    calendar: {
      zone: "UTC",
      week: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
      holidays: [],
      description: "weekdays 09:00–17:00 UTC",
    },
    caseTypes: ["incident", "query"],
    defaultCaseType: "incident",
    severities: [
      { id: "1", name: "Severity 1", definition: "down", aliases: ["s1"] },
      { id: "2", name: "Severity 2", definition: "degraded", aliases: ["s2"] },
    ],
    defaultSeverity: "2",
    serviceLevels: [
      {
        caseType: "incident",
        severity: "1",
        coverage: "24x7",
        targets: {
          "initial-response": hours(1),
          "ongoing-response": hours(2),
          "status-update": hours(4),
          workaround: hours(8),
          resolution: hours(24),
        },
      },
      { caseType: "incident", severity: "2", coverage: "business", targets: { "initial-response": hours(4), resolution: hours(16) } },
      { caseType: "query", severity: null, coverage: "business", targets: { "initial-response": { duration: { unit: "days", amount: 1 }, text: "1 business day" } } },
    ],
    eligibility: [],
    requiredFields: [],
    reminders: [
      { at: 0.5, notify: ["assignee"] },
      { at: 0.8, notify: ["team"] },
      { at: 1, notify: ["managers"] },
    ],
    pausedWhileWaiting: ["workaround", "resolution"],
    ackCcDtcs: false,
    entitlements: [],
    ...overrides,
  };
}

export const at = (iso: string) => Date.parse(iso);

export function opened(iso: string, severity = "1", caseType: "incident" | "query" = "incident"): TimelineEvent {
  return { kind: "opened", at: at(iso), caseType, severity, environment: "production" };
}
