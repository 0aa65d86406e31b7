/**
 * [002] 5.1 "If Customer's dedicated point of contact is unreachable, CIQ may revert to standard business hours
 * response": time counts around the clock while the contact is reachable, in business hours while not.
 */
import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../policy/load.js";
import { calendarsForPolicy } from "./calendars.js";
import { ContactCalendar, levelAndCalendar } from "./reachability.js";

const policy = loadBundledPolicies().get("ciq-premium")!;
const pick = calendarsForPolicy(policy, "America/New_York");
const at = (iso: string) => Date.parse(iso);
const SAT_0300 = at("2026-03-07T08:00:00Z");
const facts = { caseType: "incident" as const, severity: "1", environment: null, entitlements: ["named-contact"] };

describe("named contact reachability", () => {
  it("while reachable the 24x7 level applies; while unreachable the standard business-hour one", () => {
    const reachable = levelAndCalendar(policy, facts, [{ from: SAT_0300 + 600_000, to: SAT_0300 + 7_200_000 }], pick)!;
    expect([reachable.level.coverage, reachable.level.targets["initial-response"]!.text]).toEqual(["24x7", "30 minutes"]);
    const unreachable = levelAndCalendar(policy, facts, [{ from: SAT_0300 + 600_000, to: null }], pick)!;
    expect([unreachable.level.coverage, unreachable.level.targets["initial-response"]!.text]).toEqual(["business", "1 business hour"]);
    // Without the entitlement the marks change nothing: business hours all along.
    const none = levelAndCalendar(policy, { ...facts, entitlements: [] }, [{ from: SAT_0300, to: null }], pick)!;
    expect(none.cal).toBe(pick("business"));
  });

  it("counts wall time while reachable and business time while not", () => {
    const cal = new ContactCalendar(pick("24x7"), pick("business"), [{ from: at("2026-03-07T08:10:00Z"), to: at("2026-03-09T13:00:00Z") }]);
    // 10 minutes Saturday, nothing the rest of the weekend, Monday 08:00–09:00 EDT = 60 minutes, then wall time.
    expect(cal.between(SAT_0300, at("2026-03-09T13:00:00Z"))).toBe(70 * 60_000);
    expect(cal.add(SAT_0300, { unit: "minutes", amount: 30 })).toBe(at("2026-03-09T12:20:00Z"));
    expect(cal.add(SAT_0300, { unit: "minutes", amount: 100 })).toBe(at("2026-03-09T13:30:00Z"));
    expect([cal.isOpen(at("2026-03-08T12:00:00Z")), cal.isOpen(at("2026-03-09T14:00:00Z"))]).toEqual([false, true]);
    expect(cal.nextOpening(at("2026-03-08T12:00:00Z"))).toBe(at("2026-03-09T12:00:00Z"));
  });
});
