/**
 * Seeds the sample week (harness/digest/sample-week.ts) into a test database: its organizations, a contact
 * each, staff (managers in New York, Los Angeles and none, an engineer, an inactive manager) and the
 * cases with their event trails, so loader, job and CLI see exactly what the pure tests see.
 */
import { createTemplateRenderer } from "../../src/outbox/templates.js";
import { NOW, SAMPLE_WEEK, trailOf } from "../../harness/digest/sample-week.js";
import { testPolicy } from "../../harness/sla/test-policy.js";
import * as store from "../../src/store/index.js";
import type { Db } from "../../src/store/index.js";
import type { Desk } from "../../src/desk.js";
import { staff } from "../../src/store/schema/index.js";
import { eq } from "drizzle-orm";
import { loadBundledPolicies } from "../../src/policy/load.js";
import { refreshCaseSla } from "../../src/scheduler/case-sla.js";

const seedPolicies = new Map([...loadBundledPolicies(), ["test", testPolicy()]]);

export { NOW };

export function testDesk(): Desk {
  return {
    policies: new Map([["test", testPolicy()]]),
    templates: createTemplateRenderer(),
    fromAddress: "support@vendor.example",
    supportDomain: "vendor.example",
    caseTokenFormat: "[Case #{number}]",
    timeZone: "UTC",
  };
}

export interface Seeded {
  ny: store.Staff;
  la: store.Staff;
  utc: store.Staff;
}

/** `policyId`: "test" (the numbers the tests assert) or a bundled policy with severities "1" and "2", for the CLI. */
export async function seedWeek(db: Db, policyId = "test"): Promise<Seeded> {
  const orgs = new Map<string, { orgId: number; contactId: number }>();
  for (const name of [...new Set(SAMPLE_WEEK.map((c) => c.organization))]) {
    const org = await store.createOrganization(db, { name, policyId });
    const slug = name.toLowerCase().replace(/[^a-z]+/g, "");
    const contact = await store.createContact(db, { email: `dtc@${slug}.example`, name: `DTC of ${name}`, organizationId: org.id, dtc: true });
    orgs.set(name, { orgId: org.id, contactId: contact.id });
  }
  for (const c of SAMPLE_WEEK) {
    const trail = trailOf(c);
    const { orgId, contactId } = orgs.get(c.organization)!;
    const row = await store.createCase(db, {
      organizationId: orgId,
      requesterId: contactId,
      subject: c.subject,
      caseType: "incident",
      severity: c.severity,
      severitySource: "field",
      status: c.status,
      policyId,
      openedAt: new Date(trail[0]!.at),
      updatedAt: new Date(trail[trail.length - 1]!.at),
    });
    if (row.number !== c.number) throw new Error(`seed: expected case #${c.number}, got #${row.number} (database not fresh?)`);
    for (const e of trail) await store.appendEvent(db, { caseId: row.id, at: new Date(e.at), actor: "system", kind: e.kind, data: e.data });
    // As the worker leaves every case: its SLA evaluated after its last change (the scheduler's index, the digest's rollup).
    await refreshCaseSla(db, { ...testDesk(), policies: seedPolicies }, row.id, trail[trail.length - 1]!.at);
  }
  const ny = await store.createStaff(db, { email: "nora@vendor.example", name: "Nora", role: "manager", timeZone: "America/New_York" });
  const la = await store.createStaff(db, { email: "luis@vendor.example", name: "Luis", role: "manager", timeZone: "America/Los_Angeles" });
  const utc = await store.createStaff(db, { email: "uma@vendor.example", name: "Uma", role: "manager" });
  await store.createStaff(db, { email: "eve@vendor.example", name: "Eve", role: "engineer", timeZone: "America/New_York" });
  const gone = await store.createStaff(db, { email: "old@vendor.example", name: "Old", role: "manager", timeZone: "UTC" });
  await db.update(staff).set({ active: false }).where(eq(staff.id, gone.id));
  return { ny, la, utc };
}
