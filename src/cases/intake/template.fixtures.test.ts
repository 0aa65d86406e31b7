/** The template reader over real mail bytes: the parser's output of the template-*.eml fixtures. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_PARSE_LIMITS } from "../../mail/message.js";
import { parseMessage } from "../../mail/parse.js";
import { isForwardSubject, stripQuotedHistory } from "../../mail/quoted.js";
import { normaliseEnvironment, readTemplate } from "./template.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/mail/${name}`, import.meta.url));
const read = async (name: string) => {
  const msg = await parseMessage(readFileSync(fixture(name)), DEFAULT_PARSE_LIMITS);
  return readTemplate(stripQuotedHistory(msg.text, { isForward: isForwardSubject(msg.subject) }));
};

describe("readTemplate on fixtures", () => {
  it("template-full-vantiq.eml: every field, steps without the signature", async () => {
    const { fields } = await read("template-full-vantiq.eml");
    expect(fields).toMatchObject({
      name: "Jane Doe",
      company: "Acme Logistics",
      email: "jane.doe@customer.example",
      severity: "1",
      environment: "production / public cloud",
      version: "1.41.3",
      clientApp: "VANTIQ CLI 1.41.0",
      clientVersion: "1.41.0",
      namespaces: "acme_prod, acme_shared",
      exports: "attached (ProcessSensorReading.json)",
    });
    expect(fields.stepsToReproduce?.split("\n")).toHaveLength(4);
    expect(fields.stepsToReproduce).not.toMatch(/Thanks|Jane/);
  });

  it("template-markdown-bold.eml: bold labels in bullets, indented steps, German sign-off", async () => {
    const { fields } = await read("template-markdown-bold.eml");
    expect(fields).toMatchObject({ name: "Li Wei", severity: "2", environment: "pre-production / private cloud", version: "1.41.2", namespaces: "acme_preprod" });
    expect(fields.stepsToReproduce).toBe(
      '1. Upgrade the private cloud installation from 1.40.5 to 1.41.2.\n2. Open the iOS app and sign in with an existing user – the login spinner never ends.\n3. The server log shows "token audience mismatch".',
    );
  });

  it("template-label-next-line.eml: values under their labels, the quoted Severity 1 ignored", async () => {
    const { fields } = await read("template-label-next-line.eml");
    expect(fields).toMatchObject({ name: "Marco Rossi", severity: "4", environment: "development, edge node", version: "1.40.5", namespaces: "acme_dev" });
    expect(normaliseEnvironment(fields.environment)).toEqual({ environment: "development", deployment: "edge-node" });
  });

  it("template-sev1-development.eml: a sign-off that is only a name is not a step", async () => {
    const { fields } = await read("template-sev1-development.eml");
    expect(fields).toMatchObject({ severity: "1", environment: "development / public cloud" });
    expect(fields.stepsToReproduce).toBe('Open the IDE for namespace acme_dev; every page shows "Service unavailable".');
  });

  it("template-html-table-extra.eml: an HTML-only table, the blockquoted history ignored", async () => {
    const { fields } = await read("template-html-table-extra.eml");
    expect(fields).toEqual({
      name: "Kenji Tanaka",
      company: "Acme Logistics",
      email: "k.tanaka@customer.example",
      environment: "Production – edge node",
      version: "1.41.3",
      namespaces: "acme_edge",
      stepsToReproduce: '1. Upgrade the edge node to 1.41.3.\n2. Restart the node; the sync status stays at "pending".',
    });
  });

  it("template-konneqt-extra.eml: ISO-8859-1 bullets and en dashes, Outlook history cut", async () => {
    const { fields } = await read("template-konneqt-extra.eml");
    expect(fields).toEqual({
      caseType: "Incident",
      priority: "P0 – Catastrophic",
      environment: "Pre Production",
      deployment: "Managed Deployment (AWS sa-east-1)",
      product: "Konneqt API Gateway 4.2.1",
      version: "4.2.1",
      stepsToReproduce: "Call any API through the gateway; it answers 502 after 30 s.\nThe upstream services answer directly.",
    });
  });

  it("forwarded-request.eml: the forwarded content is the request", async () => {
    const { fields } = await read("forwarded-request.eml");
    expect(fields).toMatchObject({ severity: "3", environment: "production / public cloud" });
    expect(fields.stepsToReproduce).not.toContain("Ops Desk");
  });
});
