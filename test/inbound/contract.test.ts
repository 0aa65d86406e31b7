import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { parseContract } from "../../src/policy/contract.js";
import type { Db } from "../../src/store/database.js";
import { listCases } from "../../src/store/repos/cases.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { createOrganization, setContract } from "../../src/store/repos/organizations.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { createStaff } from "../../src/store/repos/staff.js";
import { processRawMessage } from "../../src/inbound/process.js";
import { schedulerTick } from "../../src/scheduler/tick.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, testDesk } from "../support/desk.js";

const desk = testDesk();
const infotecs = desk.policies.get("infotecs-basic")!;

// What an Infotecs Agreement might fix; the policy itself has no response targets.
const agreement = `
serviceLevels:
  - caseType: incident
    severity: "1"
    targets: { initial-response: 2 business hours }
`;

const request = (from: string, id: string) =>
  Buffer.from(
    [
      `From: ${from}`,
      `To: ${SUPPORT}`,
      "Subject: ViPNet coordinator does not start",
      `Message-ID: <${id}@client.example>`,
      "Date: Mon, 23 Nov 2026 10:00:00 +0300",
      "",
      "Severity: 1",
      "Product: ViPNet Coordinator HW 4.5",
      "Steps to reproduce: reboot the appliance.",
      "",
    ].join("\r\n"),
  );

describe.each(testDatabases())("an organization's contract on %s", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
    await createStaff(db, { email: "alice@vendor.example", name: "Alice", role: "engineer", timeZone: "Europe/Moscow" });
    const withAgreement = await createOrganization(db, { name: "Contracted", policyId: "infotecs-basic", domains: ["contracted.example"] });
    await setContract(db, withAgreement.id, parseContract(agreement, "contracted.yaml", infotecs));
    await createContact(db, { email: "ops@contracted.example", name: "Ops", organizationId: withAgreement.id, dtc: true });
    const plain = await createOrganization(db, { name: "Plain", policyId: "infotecs-basic", domains: ["plain.example"] });
    await createContact(db, { email: "ops@plain.example", name: "Ops", organizationId: plain.id, dtc: true });
  });
  afterAll(() => target.close());

  it("sets the response target the Infotecs policy leaves to the agreement, and reminds on it", async () => {
    // Mon 23 Nov 2026 10:00 Moscow; the assumed Moscow week is 09:00–18:00, so 2 business hours → 12:00.
    const clock = new ManualClock("2026-11-23T07:00:00Z");
    await processRawMessage(inboundDeps(db, clock, desk), { name: "support", address: SUPPORT, defaultPolicy: "vantiq" }, request("ops@contracted.example", "a1"), { receivedAt: null });
    await processRawMessage(inboundDeps(db, clock, desk), { name: "support", address: SUPPORT, defaultPolicy: "vantiq" }, request("ops@plain.example", "b1"), { receivedAt: null });
    const acks = (await listOutbox(db)).filter((m) => m.kind === "acknowledgment");
    const byTo = Object.fromEntries(acks.map((a) => [a.to[0], a.text]));
    expect(byTo["ops@contracted.example"]).toContain("Our first response is due by Mon 23 Nov 2026, 12:00 GMT+3 (2 business hours,");
    expect(byTo["ops@plain.example"]).toContain("Response times for this case are set by your support agreement.");

    clock.set("2026-11-23T09:00:00Z"); // 12:00 Moscow: the contracted case is breached, the other owes nothing
    await schedulerTick({ db, desk, clock, logger: { info() {}, error() {} } });
    const staffMail = (await listOutbox(db)).filter((m) => m.kind === "reminder" || m.kind === "breach-alert");
    const contractedCase = acks.find((a) => a.to[0] === "ops@contracted.example")!.caseId;
    expect(staffMail.map((m) => m.kind).sort()).toEqual(["breach-alert", "reminder", "reminder"]);
    expect(staffMail.every((m) => m.caseId === contractedCase)).toBe(true);
    expect(await listCases(db)).toHaveLength(2);
  });
});
