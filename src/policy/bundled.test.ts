/** The seven bundled policies load, validate, and carry the seeds' numbers. */
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bundledPoliciesDir, loadBundledPolicies } from "./load.js";
import { serviceLevelFor } from "./select.js";
import type { Policy } from "./types.js";

const policies = loadBundledPolicies();
const get = (id: string): Policy => {
  const p = policies.get(id);
  if (!p) throw new Error(`policy ${id} not bundled`);
  return p;
};
const target = (id: string, caseType: Policy["caseTypes"][number], severity: string, entitlements: string[] = [], environment: "production" | "development" | null = "production") =>
  serviceLevelFor(get(id), { caseType, severity, environment, entitlements });

describe("bundled policies", () => {
  it("are the seven seed plans, each file named after its id", () => {
    expect([...policies.keys()].sort()).toEqual(["ciq-premium", "ciq-standard", "infotecs-basic", "infotecs-premium", "konneqt-basic", "konneqt-enterprise", "vantiq"]);
    for (const id of policies.keys()) expect(existsSync(join(bundledPoliciesDir(), `${id}.yaml`))).toBe(true);
  });

  it("infotecs-premium: Basic's quota with feature requests accepted but not counted, emergencies flagged to managers", () => {
    const premium = get("infotecs-premium");
    const basic = get("infotecs-basic");
    expect(premium.caseTypes).toEqual(["incident", "query", "rfe"]);
    expect(premium.quota).toEqual({ ticketsPerYear: 40, carryOver: true, countedCaseTypes: ["incident", "query"] });
    expect(premium.emergency).toMatchObject({ words: ["emergency"], notify: ["managers"] });
    expect(premium.calendar).toEqual(basic.calendar);
    expect(premium.serviceLevels).toEqual([]);
  });

  it("never pause the initial response and always remind at 50%, 80% and breach", () => {
    for (const p of policies.values()) {
      expect(p.pausedWhileWaiting).not.toContain("initial-response");
      expect(p.pausedWhileWaiting).toEqual(expect.arrayContaining(["workaround", "resolution"]));
      expect(p.reminders.map((r) => r.at)).toEqual(expect.arrayContaining([0.5, 0.8, 1]));
      expect(p.reminders.find((r) => r.at === 1 && !r.metrics)?.notify).toEqual(["assignee", "managers"]);
    }
  });

  it("vantiq: Pacific 08:00-18:00, S3 within 1 business day, S1 24x7 only with the add-on in production", () => {
    const v = get("vantiq");
    expect(v.calendar.zone).toBe("America/Los_Angeles");
    expect(v.calendar.week).toMatchObject({ mon: [{ from: "08:00", to: "18:00" }], fri: [{ from: "08:00", to: "18:00" }] });
    expect(target("vantiq", "incident", "3")?.targets["initial-response"]).toEqual({ duration: { unit: "days", amount: 1 }, text: "1 business day" });
    expect(target("vantiq", "incident", "2")?.targets["initial-response"]?.duration).toEqual({ unit: "minutes", amount: 240 });
    expect(target("vantiq", "incident", "1", ["24x7-sev1"])?.coverage).toBe("24x7");
    expect(target("vantiq", "incident", "1", ["24x7-sev1"], "development")?.coverage).toBe("business");
    expect(target("vantiq", "incident", "1", [])?.coverage).toBe("business");
    expect(v.requiredFields).toEqual(["name", "company", "email", "severity", "environment", "version", "namespace", "steps-to-reproduce"]);
  });

  it("ciq-standard: customer-local 08:00-18:00, bank holidays, S4 2 business days initial and ongoing", () => {
    const c = get("ciq-standard");
    expect(c.calendar).toMatchObject({ followsCustomerZone: true, holidays: ["us-federal-reserve"] });
    expect(c.calendar.week).toMatchObject({ mon: [{ from: "08:00", to: "18:00" }] });
    const s4 = target("ciq-standard", "incident", "4")?.targets;
    expect(s4?.["initial-response"]?.duration).toEqual({ unit: "days", amount: 2 });
    expect(s4?.["ongoing-response"]?.duration).toEqual({ unit: "days", amount: 2 });
    expect(target("ciq-standard", "rfe", "1")?.targets["initial-response"]?.text).toBe("2 business days");
  });

  it("ciq-premium: S1 30 minutes 24x7 with a named contact, 1 business hour without", () => {
    const withContact = target("ciq-premium", "incident", "1", ["named-contact"]);
    expect(withContact?.coverage).toBe("24x7");
    expect(withContact?.targets["initial-response"]).toEqual({ duration: { unit: "minutes", amount: 30 }, text: "30 minutes" });
    expect(withContact?.targets["ongoing-response"]?.duration).toEqual({ unit: "minutes", amount: 60 });
    const without = target("ciq-premium", "incident", "1");
    expect(without?.coverage).toBe("business");
    expect(without?.targets["initial-response"]).toEqual({ duration: { unit: "minutes", amount: 60 }, text: "1 business hour" });
    expect(target("ciq-premium", "incident", "2", ["named-contact"])).toMatchObject({ coverage: "business", targets: { "initial-response": { text: "2 hours" } } });
  });

  it("konneqt-enterprise: P0 30 min / 4 h / 48 h (2 business days), status every 4 h, security report resolution 10 business days", () => {
    const p0 = target("konneqt-enterprise", "incident", "P0")?.targets;
    expect(p0?.["initial-response"]?.duration.amount).toBe(30);
    expect(p0?.workaround?.duration.amount).toBe(240);
    expect(p0?.resolution?.duration).toEqual({ unit: "days", amount: 2 });
    expect(target("konneqt-enterprise", "incident", "P3")?.targets.workaround?.duration).toEqual({ unit: "days", amount: 3 });
    expect(target("konneqt-enterprise", "incident", "P3")?.targets.resolution?.duration).toEqual({ unit: "days", amount: 5 });
    for (const s of ["P0", "P1", "P2", "P3"]) expect(target("konneqt-enterprise", "incident", s)?.targets["status-update"]?.duration.amount).toBe(240);
    const sec = target("konneqt-enterprise", "security-report", "P3")?.targets;
    expect(sec?.resolution?.duration).toEqual({ unit: "days", amount: 10 });
    expect(sec?.["initial-response"]?.duration).toEqual({ unit: "minutes", amount: 60 });
    expect(target("konneqt-enterprise", "query", "P3")?.targets.resolution).toBeUndefined();
    const e = get("konneqt-enterprise");
    expect(e.calendar.holidays).toEqual(["us-federal"]);
    expect(e.queryHourLimits).toEqual({ query: 50 });
    expect(e.retention).toEqual({ piiDaysAfterContractEnd: 90, attachmentsDaysAfterClose: 90, portalDataDaysAfterContractEnd: 90 });
    expect(e.reminders).toContainEqual({ at: 1, notify: ["executives"], metrics: ["workaround", "resolution"] });
  });

  it("konneqt-basic: GMT-3 fixed offset 08:00-20:00, P3 workaround 72 hours, 25 query hours", () => {
    const b = get("konneqt-basic");
    expect(b.calendar.zone).toBe("UTC-3");
    expect(b.calendar.week).toMatchObject({ wed: [{ from: "08:00", to: "20:00" }] });
    expect(target("konneqt-basic", "incident", "P3")?.targets.workaround).toEqual({ duration: { unit: "minutes", amount: 72 * 60 }, text: "72 hours" });
    expect(target("konneqt-basic", "incident", "P1")?.targets.workaround?.duration.amount).toBe(12 * 60);
    expect(b.queryHourLimits).toEqual({ query: 25 });
  });

  it("infotecs-basic: a calendar, no targets, 40 tickets a year carried over", () => {
    const i = get("infotecs-basic");
    expect(i.serviceLevels).toEqual([]);
    expect(target("infotecs-basic", "incident", "1")).toBeNull();
    expect(i.quota).toEqual({ ticketsPerYear: 40, carryOver: true });
    expect(i.calendar.week).not.toBe("24x7");
  });
});
