/** A broken policy file is rejected with an error naming the file and the field path. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ValidationError } from "../errors.js";
import { loadPolicies, loadPolicyFile, parsePolicy } from "./load.js";

const MINIMAL = `
id: acme
name: Acme Support
seed: test
calendar:
  zone: America/Chicago
  week: { weekdays: ["08:00-12:00", "13:00-17:00"] }
  holidays: [us-federal]
  description: weekdays
caseTypes: [incident, query]
defaultCaseType: incident
severities:
  - { id: 1, name: Severity 1, definition: down, aliases: [sev 1, critical] }
  - { id: 2, name: Severity 2, definition: slow, aliases: [sev 2] }
defaultSeverity: 2
entitlements: [{ id: 24x7-sev1, description: add-on }]
serviceLevels:
  - caseType: incident
    severity: 1
    coverage: 24x7
    when: { entitlements: [24x7-sev1] }
    targets: { initial-response: 4 hours }
  - caseType: incident
    severity: 1
    targets: { initial-response: 4 business hours, workaround: none }
  - caseType: incident
    severity: 2
    targets: { initial-response: 1 business day }
eligibility:
  - { severity: 1, requires: { environments: [production] }, otherwise: { downgradeTo: 2 }, reason: production only }
reminders: [{ at: 0.5, notify: [assignee] }]
pausedWhileWaiting: [workaround]
`;

function broken(edit: (doc: any) => void): string {
  const doc = parse(MINIMAL);
  edit(doc);
  return stringify(doc);
}

function issuesOf(text: string, file = "policies/acme.yaml") {
  try {
    parsePolicy(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const v = e as ValidationError;
    expect(v.message.startsWith(`${file}: `)).toBe(true);
    return v.issues;
  }
  throw new Error("expected a ValidationError");
}

describe("parsePolicy", () => {
  it("reads the minimal file: numeric ids as strings, weekdays expanded, none dropped", () => {
    const p = parsePolicy(MINIMAL, "acme.yaml");
    expect(p.defaultSeverity).toBe("2");
    expect(p.calendar.week).toMatchObject({ mon: [{ from: "08:00", to: "12:00" }, { from: "13:00", to: "17:00" }] });
    expect(p.calendar.week).not.toHaveProperty("sat");
    expect(p.serviceLevels[1]?.targets).toEqual({ "initial-response": { duration: { unit: "minutes", amount: 240 }, text: "4 business hours" } });
  });

  it.each<[string, (d: any) => void, string, RegExp]>([
    ["a bad duration", (d) => (d.serviceLevels[2].targets.workaround = "four hours"), "serviceLevels[2].targets.workaround", /cannot read duration/],
    ["a misspelt metric", (d) => (d.serviceLevels[2].targets["initial-respons"] = "4 hours"), "serviceLevels[2].targets", /initial-respons/],
    ["an unknown severity", (d) => (d.serviceLevels[2].severity = 3), "serviceLevels[2].severity", /unknown severity "3"/],
    ["an unlisted case type", (d) => (d.serviceLevels[2].caseType = "rfe"), "serviceLevels[2].caseType", /not listed in caseTypes/],
    ["a missing default severity", (d) => (d.defaultSeverity = "P9"), "defaultSeverity", /unknown severity "P9"/],
    ["a downgrade to nowhere", (d) => (d.eligibility[0].otherwise.downgradeTo = 7), "eligibility[0].otherwise.downgradeTo", /unknown severity "7"/],
    ["a bad zone", (d) => (d.calendar.zone = "GMT-3"), "calendar.zone", /unknown time zone/],
    ["an unknown holiday set", (d) => d.calendar.holidays.push("uk-bank"), "calendar.holidays[1]", /known sets are us-federal-reserve, us-federal/],
    ["a bad opening time", (d) => (d.calendar.week.weekdays[0] = "8:00-12:00"), "calendar.week.mon[0].from", /HH:MM/],
    ["overlapping intervals", (d) => (d.calendar.week.weekdays[1] = "11:00-17:00"), "calendar.week.mon[1]", /overlaps/],
    ["a threshold above 1", (d) => (d.reminders[0].at = 1.5), "reminders[0].at", /\(0, 1\]/],
    ["a threshold of 0", (d) => (d.reminders[0].at = 0), "reminders[0].at", /\(0, 1\]/],
    ["a missing name", (d) => delete d.name, "name", /required/],
    ["business time on 24x7", (d) => (d.serviceLevels[0].targets["initial-response"] = "1 business day"), "serviceLevels[0].targets.initial-response", /24x7/],
    ["a paused initial response", (d) => d.pausedWhileWaiting.push("initial-response"), "pausedWhileWaiting[1]", /never pauses/],
    ["an undeclared entitlement", (d) => (d.serviceLevels[0].when.entitlements = ["gold"]), "serviceLevels[0].when.entitlements[0]", /not declared/],
    ["an ambiguous alias", (d) => d.severities[1].aliases.push("Sev-1"), "severities[1].aliases[1]", /also match severity "1"/],
    ["a shadowed service level", (d) => d.serviceLevels.push({ caseType: "incident", severity: 2, targets: {} }), "serviceLevels[3]", /never applies/],
    ["an unknown environment", (d) => (d.eligibility[0].requires.environments = ["staging"]), "eligibility[0].requires.environments[0]", /production/],
  ])("rejects %s at its field path", (_name, edit, path, message) => {
    const issues = issuesOf(broken(edit));
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it("rejects a circular downgrade", () => {
    const issues = issuesOf(
      broken((d) => d.eligibility.push({ severity: 2, requires: { environments: ["production"] }, otherwise: { downgradeTo: 1 }, reason: "x" })),
    );
    expect(issues).toContainEqual({ path: "eligibility", message: expect.stringMatching(/circle/) });
  });

  it("reports YAML syntax errors with the file name", () => {
    const issues = issuesOf("id: acme\nname: [unclosed\n");
    expect(issues[0]?.message).toMatch(/YAML syntax/);
  });
});

describe("loading files", () => {
  it("names the file in the error of a broken file", () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-"));
    try {
      const file = join(dir, "acme.yaml");
      writeFileSync(file, broken((d) => (d.serviceLevels[2].targets.workaround = "soon")));
      expect(() => loadPolicyFile(file)).toThrow(`${file}: serviceLevels[2].targets.workaround: cannot read duration "soon"`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects the same policy id in two files, naming both", () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-"));
    try {
      mkdirSync(join(dir, "a"));
      mkdirSync(join(dir, "b"));
      writeFileSync(join(dir, "a", "acme.yaml"), MINIMAL);
      writeFileSync(join(dir, "b", "acme-copy.yml"), MINIMAL);
      expect(() => loadPolicies([join(dir, "a"), join(dir, "b")])).toThrow(
        `${join(dir, "b", "acme-copy.yml")}: id: policy id "acme" is already defined in ${join(dir, "a", "acme.yaml")}`,
      );
      expect([...loadPolicies([join(dir, "a")]).keys()]).toEqual(["acme"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says which directory cannot be read", () => {
    expect(() => loadPolicies(["/nonexistent/policies"])).toThrow(/cannot read policy directory \/nonexistent\/policies/);
  });
});
