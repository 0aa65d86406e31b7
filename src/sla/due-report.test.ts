import { describe, expect, it } from "vitest";
import { formatInstant } from "../calendar/format.js";
import { AppError } from "../errors.js";
import { loadBundledPolicies } from "../policy/load.js";
import { dueReport, type DueQuery } from "./due-report.js";

const policies = loadBundledPolicies();
const q = (policy: string, severityText: string, atIso: string, more: Partial<DueQuery> = {}): DueQuery => ({
  policy: policies.get(policy)!,
  severityText,
  entitlements: [],
  openedAt: Date.parse(atIso),
  ...more,
});

function lines(r: ReturnType<typeof dueReport>, zone: string): Record<string, string> {
  if (r.refused) throw new Error("refused");
  return Object.fromEntries(r.lines.map((l) => [l.metric, formatInstant(l.dueAt, zone)]));
}

describe("sla due report", () => {
  it("answers the VANTIQ Severity 2 example: Friday 16:00 Pacific is due Monday 10:00", () => {
    const r = dueReport(q("vantiq", "Sev 2", "2026-11-20T16:00:00-08:00"));
    expect(lines(r, "America/Los_Angeles")).toEqual({ "initial-response": "2026-11-23T10:00:00.000-08:00" });
  });

  it("applies eligibility: Severity 1 in development is handled as Severity 2, with the reason", () => {
    const r = dueReport(q("vantiq", "critical", "2026-11-21T10:00:00-08:00", { environment: "development", entitlements: ["24x7-sev1"] }));
    expect(r).toMatchObject({ refused: false, requestedSeverity: "1", severity: "2", coverage: "business" });
    expect(r.reasons[0]).toMatch(/production/);
  });

  it("does not apply an environment rule when the environment is not given, and says so", () => {
    const r = dueReport(q("vantiq", "1", "2026-11-20T16:00:00-08:00"));
    expect(r).toMatchObject({ refused: false, severity: "1", needsEnvironment: true });
    expect(r.reasons).toEqual([
      "This applies only to production environments and the request names no environment; Severity 1 (Business-critical) is kept until the environment is known.",
    ]);
    const basic = dueReport(q("konneqt-basic", "P2", "2026-11-20T19:00:00-03:00"));
    expect(lines(basic, "UTC-3")["initial-response"]).toBe("2026-11-23T11:00:00.000-03:00");
  });

  it("lists every metric of a Konneqt incident, and just the one asked for", () => {
    const all = dueReport(q("konneqt-enterprise", "P1", "2026-03-02T10:00:00-05:00"));
    expect(Object.keys(lines(all, "America/New_York"))).toEqual(["initial-response", "status-update", "workaround", "resolution"]);
    const one = dueReport(q("konneqt-enterprise", "P1", "2026-03-02T10:00:00-05:00", { metric: "workaround" }));
    // P1 workaround "24 hours" is read as one business day (policies/konneqt-enterprise.yaml keeps the table ordered).
    expect(lines(one, "America/New_York")).toEqual({ workaround: "2026-03-03T10:00:00.000-05:00" });
  });

  it("uses the customer's zone for CIQ", () => {
    const r = dueReport(q("ciq-standard", "S1", "2026-05-16T03:00:00-07:00", { customerZone: "America/Los_Angeles" }));
    expect(lines(r, "America/Los_Angeles")["initial-response"]).toBe("2026-05-18T09:00:00.000-07:00");
  });

  it("reports a refusal rather than due times (Konneqt Basic incidents outside production)", () => {
    expect(dueReport(q("konneqt-basic", "P2", "2026-03-06T19:00:00-03:00", { environment: "development" }))).toMatchObject({ refused: true });
  });

  it.each<[string, DueQuery, RegExp]>([
    ["unknown severity", q("vantiq", "sev 9", "2026-03-06T19:00:00Z"), /no severity "sev 9"/],
    ["unknown case type", q("vantiq", "2", "2026-03-06T19:00:00Z", { caseType: "query" }), /no case type "query"; use one of incident/],
    ["unknown environment", q("vantiq", "2", "2026-03-06T19:00:00Z", { environment: "prod" }), /--environment must be one of/],
    ["entitlement of another policy", q("ciq-premium", "1", "2026-03-06T19:00:00Z", { entitlements: ["24x7-sev1"] }), /knows named-contact/],
    ["metric without a target", q("vantiq", "2", "2026-03-06T19:00:00Z", { metric: "resolution" }), /no resolution target/],
    ["unknown metric", q("vantiq", "2", "2026-03-06T19:00:00Z", { metric: "speed" }), /--metric must be one of/],
  ])("rejects %s with an actionable message", (_name, query, message) => {
    expect(() => dueReport(query)).toThrow(AppError);
    expect(() => dueReport(query)).toThrow(message);
  });
});
