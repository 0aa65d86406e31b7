import { describe, expect, it } from "vitest";
import { normaliseEnvironment, readTemplate } from "./template.js";

const VANTIQ_FULL = `Hello support,

Name: Ana Souza
Company: Acme Logistics
Email: ana.souza@acme.example
Severity: 2
Environment: Production
VANTIQ version: 1.38.4
Public cloud, private cloud, or edge node: private cloud
Client application: Java SDK 1.5.2
Namespaces: acme_prod, acme_shared
Steps to reproduce:
1. Deploy the project "Tracking"
2. Publish an event to /topics/track
3. The rule never fires

Exports of affected components: attached tracking.zip

Thanks,
Ana
`;

describe("readTemplate", () => {
  it("reads every field of VANTIQ's Customer Responsibilities list", () => {
    const { fields, found } = readTemplate(VANTIQ_FULL);
    expect(fields).toEqual({
      name: "Ana Souza",
      company: "Acme Logistics",
      email: "ana.souza@acme.example",
      severity: "2",
      environment: "Production",
      version: "1.38.4",
      deployment: "private cloud",
      clientApp: "Java SDK 1.5.2",
      clientVersion: "1.5.2",
      namespaces: "acme_prod, acme_shared",
      stepsToReproduce: '1. Deploy the project "Tracking"\n2. Publish an event to /topics/track\n3. The rule never fires',
      exports: "attached tracking.zip",
    });
    expect(found[0]).toBe("name");
    expect(found).toHaveLength(12);
  });

  it.each([
    ["plain colon", "Severity: 2", "2"],
    ["upper case", "SEVERITY: 2", "2"],
    ["equals", "severity = 2", "2"],
    ["spaced dash", "Severity - 2", "2"],
    ["en dash", "Severity – Severity 2", "Severity 2"],
    ["bold label with colon outside", "**Severity**: 2", "2"],
    ["bold label with colon inside", "**Severity:** 2", "2"],
    ["bold label and value", "**Severity:** **2**", "2"],
    ["italic label", "*Severity*: 2", "2"],
    ["underscore emphasis", "__Severity__ = 2", "2"],
    ["dash bullet", "- Severity: 2", "2"],
    ["star bullet", "* Severity: 2", "2"],
    ["round bullet", "• Severity: 2", "2"],
    ["numbered bullet", "2. Severity: 2", "2"],
    ["heading", "### Severity: 2", "2"],
    ["parenthetical hint with a dash", "Severity (1 - 4): 2", "2"],
    ["severity level", "Severity level: Sev 2", "Sev 2"],
    ["extra whitespace", "   Severity   :     2   ", "2"],
    ["markdown table row", "| Severity | 2 |", "2"],
    ["tab separated (HTML table)", "Severity\t2", "2"],
    ["label on its own line", "Severity:\n2", "2"],
    ["bare label on its own line", "**Severity**\n2", "2"],
    ["one blank line in between (HTML paragraphs)", "Severity\n\nSeverity 2", "Severity 2"],
  ])("reads a severity written with %s", (_name, text, expected) => {
    expect(readTemplate(`Hi,\n${text}\n\nRegards`).fields.severity).toBe(expected);
  });

  it.each([
    ["VANTIQ version: 1.38", "version", "1.38"],
    ["Product version: 4.2.0", "version", "4.2.0"],
    ["Version = 1.37", "version", "1.37"],
    ["Product: Konneqt Gateway", "product", "Konneqt Gateway"],
    ["Case type: Security Report", "caseType", "Security Report"],
    ["Type - Query", "caseType", "Query"],
    ["Priority: P1", "priority", "P1"],
    ["Priority Level: P0 – Catastrophic", "priority", "P0 – Catastrophic"],
    ["E-mail address: bob@acme.example", "email", "bob@acme.example"],
    ["Email: Bob <bob@acme.example>", "email", "bob@acme.example"],
    ["Email: bob@acme.example [mailto:bob@acme.example]", "email", "bob@acme.example"],
    ["Namespace(s): ns1", "namespaces", "ns1"],
    ["Client application (SDK, CLI, or mobile app): vantiq CLI", "clientApp", "vantiq CLI"],
    ["SDK version: 1.5.2", "clientVersion", "1.5.2"],
    ["Deployment: edge node", "deployment", "edge node"],
    ["Company name: Acme", "company", "Acme"],
    ["Your name: Bob", "name", "Bob"],
  ])("reads %j as %s", (line, field, expected) => {
    expect(readTemplate(line).fields).toEqual({ [field]: expected });
  });

  it("ignores prose lines that only look like labels", () => {
    const { found } = readTemplate("Error: connection refused\nTime: 10:30\nSee https://example.com/a:b\nName of the rule is X");
    expect(found).toEqual([]);
  });

  it("leaves out empty values and <placeholders>", () => {
    const { fields } = readTemplate("Name: <your name>\nCompany:\nSeverity: 3\nNamespaces: ...");
    expect(fields).toEqual({ severity: "3" });
  });

  it("keeps the first value when a label repeats", () => {
    expect(readTemplate("Severity: 2\nSeverity: 1").fields.severity).toBe("2");
  });

  it("ends steps to reproduce at the next label, keeping numbered lines that merely start with a word like 'Type'", () => {
    const text = "Steps to reproduce:\n1. Open the search page\n2. Type: hello in the box\n\n3. Press enter\nEnvironment: dev";
    const { fields } = readTemplate(text);
    expect(fields.stepsToReproduce).toBe("1. Open the search page\n2. Type: hello in the box\n\n3. Press enter");
    expect(fields.environment).toBe("dev");
    expect(fields.caseType).toBeUndefined();
  });

  it("ends steps to reproduce at the signature", () => {
    const text = "Steps to reproduce: start the node\nthen stop it\n\nBest regards,\nBob Builder\nAcme Inc.";
    expect(readTemplate(text).fields.stepsToReproduce).toBe("start the node\nthen stop it");
    const dashed = "Steps:\nrun it\n-- \nBob | Acme | +1 555";
    expect(readTemplate(dashed).fields.stepsToReproduce).toBe("run it");
  });

  it("ignores quoted earlier mail (> lines and the text after an attribution line)", () => {
    const text = [
      "Severity: 3",
      "",
      "On Mon, 2 Mar 2026 at 10:00, Support <support@vantiq.example> wrote:",
      "> Severity: 1",
      "> Environment: production",
      "Environment: development",
    ].join("\n");
    // The quoted lines are history; a line written after them is an inline answer and counts.
    expect(readTemplate(text).fields).toEqual({ severity: "3", environment: "development" });
    const outlook = "Environment: dev\n\nFrom: Bob <bob@acme.example>\nSent: Monday\nSubject: x\n\nSeverity: 1";
    expect(readTemplate(outlook).fields).toEqual({ environment: "dev" });
    expect(readTemplate("Severity: 2\n-----Original Message-----\nSeverity: 1").fields.severity).toBe("2");
    // A forwarded Outlook request: the header block introduces the request itself.
    expect(readTemplate(outlook, { isForward: true }).fields).toEqual({ environment: "dev", severity: "1" });
  });

  it("handles CRLF line ends and non-breaking spaces from HTML", () => {
    const { fields } = readTemplate("Name:\u00a0Bob\r\nSeverity\u00a0: 4\r\n");
    expect(fields).toEqual({ name: "Bob", severity: "4" });
  });

  it("does not take the next label as the value of an empty one", () => {
    expect(readTemplate("Severity:\nEnvironment: production").fields).toEqual({ environment: "production" });
  });
});

describe("normaliseEnvironment", () => {
  it.each([
    ["Production", "production", null],
    ["prod", "production", null],
    ["LIVE", "production", null],
    ["api.vantiq.com", "production", "public-cloud"],
    ["Production (public cloud)", "production", "public-cloud"],
    ["edge node in production", "production", "edge-node"],
    ["pre-production", "pre-production", null],
    ["pre production", "pre-production", null],
    ["preprod", "pre-production", null],
    ["Staging", "pre-production", null],
    ["QA", "pre-production", null],
    ["test", "pre-production", null],
    ["UAT", "pre-production", null],
    ["dev", "development", null],
    ["Development, private cloud", "development", "private-cloud"],
    ["sandbox", "development", null],
    ["dev.vantiq.com", "development", "public-cloud"],
    ["dev and prod", "production", null],
    ["on-prem", null, "private-cloud"],
    ["mars", null, null],
    ["", null, null],
  ])("%j → %s / %s", (value, environment, deployment) => {
    expect(normaliseEnvironment(value)).toEqual({ environment, deployment });
  });
});

describe("readTemplate derived versions", () => {
  it("takes the version out of 'product and version' and the client application line", () => {
    const { fields, found } = readTemplate("Product and version: Konneqt Gateway v3.2.1\nClient application: Java SDK 1.5.2");
    expect(fields).toEqual({ product: "Konneqt Gateway v3.2.1", version: "3.2.1", clientApp: "Java SDK 1.5.2", clientVersion: "1.5.2" });
    expect(found).toEqual(["product", "clientApp", "version", "clientVersion"]);
  });

  it("keeps an explicit version over the derived one", () => {
    expect(readTemplate("Product: Gateway 3.2\nVersion: 3.3").fields.version).toBe("3.3");
  });
});

describe("readTemplate on HTML tables flattened to text", () => {
  it("reads label-space-value rows", () => {
    const { fields } = readTemplate("Name Kenji Tanaka\nSeverity Sev 2\nVANTIQ version 1.41.3\nEnvironment Production – edge node");
    expect(fields).toEqual({ name: "Kenji Tanaka", severity: "Sev 2", version: "1.41.3", environment: "Production – edge node" });
  });

  it("does not read sentences that start with a label word", () => {
    expect(readTemplate("Name of the rule is Foo\nSeverity is not clear to us\nType the command\nproduct was fine").found).toEqual([]);
  });
});

describe("readTemplate table rows stay short", () => {
  it("does not take a long prose line that happens to start with a label word", () => {
    expect(readTemplate("Version 1.41 introduced a regression in the way our rules are evaluated on edge nodes").found).toEqual([]);
  });
});
