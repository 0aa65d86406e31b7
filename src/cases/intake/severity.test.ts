import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../../policy/load.js";
import type { Environment, Policy } from "../../policy/types.js";
import { chooseCaseType, chooseSeverity, missingFields, subjectSeverityTag } from "./severity.js";
import { readTemplate } from "./template.js";

const policies = loadBundledPolicies();
const policy = (id: string): Policy => policies.get(id)!;
const vantiq = policy("vantiq");
const enterprise = policy("konneqt-enterprise");
const basic = policy("konneqt-basic");

const choose = (
  p: Policy,
  body: string,
  opts: { subject?: string; environment?: Environment | null; entitlements?: string[]; caseType?: Policy["caseTypes"][number] } = {},
) =>
  chooseSeverity(p, {
    fields: readTemplate(body).fields,
    subject: opts.subject ?? "Help",
    environment: opts.environment === undefined ? "production" : opts.environment,
    caseType: opts.caseType ?? "incident",
    entitlements: opts.entitlements ?? [],
  });

describe("chooseSeverity", () => {
  it.each([
    ["Severity: 2", "2"],
    ["Severity: Sev 3", "3"],
    ["**Severity**: severity one", "1"],
    ["Severity: Minimal", "4"],
    ["Severity - 2 (significant business impact)", "2"],
  ])("VANTIQ %j → %s from the field", (body, id) => {
    expect(choose(vantiq, body)).toMatchObject({ id, source: "field" });
  });

  it("reads Konneqt's priority field through the policy's aliases", () => {
    expect(choose(enterprise, "Priority: P2 – High")).toMatchObject({ id: "P2", source: "field" });
    expect(choose(enterprise, "Priority level: critical")).toMatchObject({ id: "P1", source: "field" });
  });

  it.each([
    ["[Sev1] API down", "1"],
    ["Re: AW: [S2] Rule not firing", "2"],
    ["[P1] Outage", "1"],
    ["Severity 2: builds are slow", "2"],
    ["Sev 3 - dashboard label wrong", "3"],
    ["Fwd: (sev-4) question on docs", "4"],
  ])("VANTIQ subject %j → %s", (subject, id) => {
    expect(choose(vantiq, "no template here", { subject })).toMatchObject({ id, source: "subject" });
  });

  it("prefers the field over the subject tag", () => {
    expect(choose(vantiq, "Severity: 3", { subject: "[Sev1] down" })).toMatchObject({ id: "3", source: "field" });
  });

  it("falls back to the subject when the field names no severity, and says so", () => {
    const c = choose(vantiq, "Severity: whenever you can", { subject: "[Sev3] typo" });
    expect(c).toMatchObject({ id: "3", source: "subject" });
    expect(c.reason).toContain('"whenever you can"');
  });

  it("uses the policy's default when nothing names a severity, and says so", () => {
    const c = choose(vantiq, "Hello, the rule does not fire.");
    expect(c).toMatchObject({ id: "4", source: "default" });
    expect(c.reason).toMatch(/default/);
    expect(choose(enterprise, "Hi", { subject: "S3 bucket access" })).toMatchObject({ id: "P3", source: "default" });
  });

  it("downgrades VANTIQ Severity 1 outside production with the policy's reason", () => {
    const c = choose(vantiq, "Severity: 1\nEnvironment: development", { environment: "development" });
    expect(c).toMatchObject({ id: "2", source: "downgrade", requested: "1" });
    expect(c.reason).toContain("Severity 1 applies only to a VANTIQ production environment");
    expect(c.reason).toContain("The request names development.");
    expect(choose(vantiq, "Severity: 1", { environment: "pre-production" })).toMatchObject({ id: "2", source: "downgrade" });
    expect(choose(vantiq, "", { subject: "[Sev1] down", environment: "development" })).toMatchObject({ id: "2", source: "downgrade" });
  });

  it("keeps Severity 1 in production", () => {
    expect(choose(vantiq, "Severity: 1", { environment: "production" })).toEqual({
      id: "1",
      source: "field",
      reason: 'Severity 1 (Business-critical), from the severity field ("1").',
    });
  });

  it("keeps Severity 1 when the environment is unknown and flags that it is needed", () => {
    const c = choose(vantiq, "Severity: 1", { environment: null });
    expect(c).toMatchObject({ id: "1", source: "field", needsEnvironment: true });
    expect(c.reason).toMatch(/applies only to production environments and the request names no environment; Severity 1 \(Business-critical\) is kept/);
  });

  it("downgrades Konneqt P0 to P1 without the managed-deployment entitlement", () => {
    const c = choose(enterprise, "", { subject: "P0: gateway down" });
    expect(c).toMatchObject({ id: "P1", source: "downgrade", requested: "P0" });
    expect(c.reason).toContain("P0 applies to Managed Deployments only");
    expect(c.reason).toContain("managed-deployment");
    expect(choose(enterprise, "", { subject: "P0: gateway down", entitlements: ["managed-deployment"] })).toMatchObject({ id: "P0", source: "subject" });
  });

  it("refuses a Konneqt Basic incident outside production but not a query, nor an unknown environment", () => {
    const refused = choose(basic, "Priority: P2", { environment: "development" });
    expect(refused.refused?.reason).toContain("production deployments only");
    expect(choose(basic, "Priority: P2", { environment: "development", caseType: "query" }).refused).toBeUndefined();
    expect(choose(basic, "Priority: P2", { environment: null })).toMatchObject({ id: "P2", needsEnvironment: true });
  });
});

describe("subjectSeverityTag", () => {
  it.each([
    ["[Sev1] down", "Sev1"],
    ["[ P0 ] down", "P0"],
    ["Severity 2: slow", "Severity 2"],
    ["Re: Sev 3 - slow", "Sev 3"],
    ["P0: gateway down", "P0"],
    ["RE: FW: S2 – rule broken", "S2"],
    ["S3 bucket access denied", null],
    ["P2P sync fails", null],
    ["Meeting at 3", null],
    ["", null],
  ])("%j → %j", (subject, tag) => {
    expect(subjectSeverityTag(subject)).toBe(tag);
  });
});

describe("chooseCaseType", () => {
  it.each([
    ["Case type: Query", "", "query", "field"],
    ["Type: Security Report Analysis", "", "security-report", "field"],
    ["Case type: service request", "", "service-request", "field"],
    ["Case type = Change Request", "", "change-request", "field"],
    ["Type: Incident", "", "incident", "field"],
    ["", "[Query] how do I rotate keys?", "query", "subject"],
    ["", "Service request: add a node", "service-request", "subject"],
    ["", "Gateway down", "incident", "default"],
  ])("Konneqt Enterprise %j / %j → %s (%s)", (body, subject, id, source) => {
    expect(chooseCaseType(enterprise, readTemplate(body).fields, subject)).toMatchObject({ id, source });
  });

  it("falls back to the default for a case type the policy does not offer, saying why", () => {
    const c = chooseCaseType(basic, readTemplate("Case type: Service Request").fields, "x");
    expect(c).toMatchObject({ id: "incident", source: "default" });
    expect(c.reason).toContain("service-request");
    expect(chooseCaseType(policy("ciq-standard"), readTemplate("Type: feature request").fields, "")).toMatchObject({ id: "rfe" });
  });
});

describe("missingFields", () => {
  it("lists VANTIQ's required fields that the request leaves out, in the template reader's names", () => {
    const { fields } = readTemplate("Name: Ana\nCompany: Acme\nSeverity: 2");
    expect(missingFields(vantiq, fields)).toEqual(["email", "environment", "version", "namespaces", "stepsToReproduce"]);
  });

  it("counts a severity from the subject, an environment that names a deployment, and attachments as evidence", () => {
    const { fields } = readTemplate("Case type: incident\nEnvironment: production (private cloud)\nProduct: Gateway\nSteps: restart");
    expect(missingFields(basic, fields, { severityGiven: true, hasAttachments: false })).toEqual([]);
    expect(missingFields(basic, fields)).toEqual(["severity"]);
    expect(missingFields(policy("ciq-standard"), readTemplate("Product: Rocky").fields, { severityGiven: true, hasAttachments: true })).toEqual([]);
    expect(missingFields(policy("ciq-standard"), readTemplate("Product: Rocky").fields, { severityGiven: true, hasAttachments: false })).toEqual(["evidence"]);
  });

  it("asks again for an environment it cannot place", () => {
    expect(missingFields(vantiq, readTemplate("Environment: the blue one").fields)).toContain("environment");
  });
});
