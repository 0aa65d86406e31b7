/**
 * What the customer reads (issue 12): the acknowledgment asks for missing fields by their labels and only for
 * what the case type needs, says the severity once (with the reason when the policy changed it), does not read
 * a sign-off into the steps to reproduce; a refusal is wrapped at sentence ends and signed with the desk's name.
 * Through the real pipeline: mail delivered into a Maildir, drained into each test database, the queued mail read.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { drainSource } from "../../src/inbound/drain.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { cases, organizations, outbox } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
let n = 0;
const mail = (subject: string, body: string, from = "Jane Doe <jane.doe@customer.example>") =>
  `From: ${from}\r\nTo: ${SUPPORT}\r\nSubject: ${subject}\r\nMessage-ID: <ack-text-${++n}@customer.example>\r\nDate: Tue, 10 Nov 2026 09:20:00 -0800\r\n\r\n${body.replace(/\n/g, "\r\n")}`;

describe.each(testDatabases())("what the customer reads on %s", (target) => {
  const desk = useMaildirDesk(target);
  const drain = () => drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox);
  const queued = async (kind: string) => (await desk.db.select().from(outbox)).filter((o) => o.kind === kind);

  it("asks for missing fields by their labels, says the severity once, and keeps the sign-off out of the steps", async () => {
    await deliverToMaildir(desk.dir, mail("Stream stalls", "Severity: 2\nEnvironment: production\nSteps to reproduce:\n1. Open the dashboard\n2. Wait a minute\n\nThanks, and best regards\nJane\n"));
    expect(await drain()).toMatchObject({ processed: 1 });
    const [ack] = await queued("acknowledgment");
    expect(ack!.text).toContain("  - Namespace(s)\n");
    expect(ack!.text).toContain("  - Product version\n");
    expect(ack!.text).not.toMatch(/^\s+- (stepsToReproduce|namespaces|version)$/m);
    expect(ack!.text).not.toContain("Steps to reproduce"); // given, so not asked for
    expect(ack!.text.match(/Severity 2/g)).toHaveLength(1);
    expect(ack!.text).toContain("Severity: Severity 2 (");
    const [kase] = await desk.db.select().from(cases);
    expect(kase!.templateFields).toMatchObject({ stepsToReproduce: "1. Open the dashboard\n2. Wait a minute" });
  });

  it("a request missing its steps is asked for \"Steps to reproduce\", never stepsToReproduce", async () => {
    await deliverToMaildir(desk.dir, mail("[Sev3] Login fails", "Environment: production\nLogin fails.\n"));
    await drain();
    const [ack] = await queued("acknowledgment");
    expect(ack!.text).toContain("  - Steps to reproduce\n");
    expect(ack!.text).not.toContain("stepsToReproduce");
  });

  it("a downgraded severity is said once, with the policy's reason", async () => {
    await deliverToMaildir(desk.dir, mail("[Sev1] Test tenant down", "Environment: development\nNothing loads.\n"));
    await drain();
    const [ack] = await queued("acknowledgment");
    expect(ack!.text).toMatch(/^Severity: Severity 2 \(.*\)$/m);
    expect(ack!.text).toMatch(/^You asked for Severity 1 \(.*\)\. \S.*$/m);
    expect(ack!.text.match(/Severity 2 \(/g)).toHaveLength(1);
  });

  it("a Konneqt Query is asked neither priority nor deployment, and by labels", async () => {
    await desk.db.update(organizations).set({ policyId: "konneqt-enterprise" }).where(eq(organizations.name, "Acme"));
    await deliverToMaildir(desk.dir, mail("[Query] How do I rotate the gateway keys?", "Hello,\nHow do we rotate the gateway signing keys?\n"));
    await drain();
    const [kase] = await desk.db.select().from(cases);
    expect(kase!.caseType).toBe("query");
    const [ack] = await queued("acknowledgment");
    expect(ack!.text).toContain("  - Product\n");
    expect(ack!.text).not.toMatch(/Priority\n|Deployment|Environment|caseType|stepsToReproduce/);
  });

  it("a Konneqt incident without a priority is asked for the \"Priority\"", async () => {
    await desk.db.update(organizations).set({ policyId: "konneqt-enterprise" }).where(eq(organizations.name, "Acme"));
    await deliverToMaildir(desk.dir, mail("[Incident] Gateway returns 502", "Deployment: public cloud\nProduct: Konneqt Gateway 3.2\nSteps to reproduce:\n1. Call /orders\n"));
    await drain();
    const [ack] = await queued("acknowledgment");
    expect(ack!.text).toContain("  - Priority\n");
    expect(ack!.text).not.toContain("  - Severity\n");
  });

  it("a refusal is wrapped at sentence ends and signed with the desk's name", async () => {
    await deliverToMaildir(desk.dir, mail("Please help", "The stream stalls.\n", "Marco Rossi <m.rossi@customer.example>"));
    await deliverToMaildir(desk.dir, mail("Please help", "The stream stalls.\n", "Ann Other <ann@elsewhere.example>"));
    await drain();
    const refusals = await queued("refusal");
    expect(refusals).toHaveLength(2);
    for (const r of refusals) {
      const lines = r.text.trimEnd().split("\n").filter((l) => l.trim() !== "");
      expect(lines.slice(-2)).toEqual(["VANTIQ Technical Support", SUPPORT]);
      // Every line of prose ends a sentence: no sentence broken over two lines.
      for (const line of lines.slice(1, -2)) expect(line).toMatch(/[.!?]$/);
    }
  });
});
