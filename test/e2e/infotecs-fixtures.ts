/**
 * The Infotecs customers the entitlement end-to-end tests share, and the two things they do to them: a resolved
 * history written straight into the store (the desk's past before the test), and the usage report `org usage`
 * prints. Product and version are the template fields Infotecs asks for ([001] "the Request should include").
 */
import { organizationZone } from "../../src/entitlements/organization.js";
import { termOf } from "../../src/entitlements/term.js";
import { usageReport } from "../../src/entitlements/usage.js";
import * as store from "../../src/store/index.js";
import type { Driver } from "./driver.js";

export const IVAN = { email: "ivan.petrov@stark.example", name: "Ivan Petrov", timeZone: "Europe/Moscow" };
export const STARK = { name: "Stark", policyId: "infotecs-basic", domain: "stark.example", timeZone: "Europe/Moscow", requester: IVAN };
export const NINA = { email: "nina@oscorp.example", name: "Nina Orlova", timeZone: "Europe/Moscow" };
export const OSCORP = { name: "Oscorp", policyId: "infotecs-basic", domain: "oscorp.example", timeZone: "Europe/Moscow", requester: NINA };

export const fields = (steps: string): Array<[string, string]> => [
  ["Product", "ViPNet Client"],
  ["Version", "4.5"],
  ["Steps to reproduce", steps],
];

/** `count` cases of the organization resolved at `resolvedAt` (history the desk had before the test). */
export async function resolvedHistory(d: Driver, orgName: string, requester: string, policyId: string, count: number, resolvedAt: string): Promise<void> {
  const org = await store.requireOrganizationByName(d.db, orgName);
  const contact = (await store.getContactByEmail(d.db, requester))!;
  const when = new Date(resolvedAt);
  const opened = new Date(when.getTime() - 86_400_000);
  for (let i = 0; i < count; i++) {
    const c = await store.createCase(d.db, {
      organizationId: org.id, requesterId: contact.id, subject: `Earlier ticket ${i + 1}`, caseType: "incident", severity: "2", severitySource: "default",
      policyId, openedAt: opened, updatedAt: when, status: "resolved",
    });
    await store.appendEvent(d.db, { caseId: c.id, at: opened, actor: requester, kind: "opened", data: { caseType: "incident", severity: "2" } });
    await store.appendEvent(d.db, { caseId: c.id, at: when, actor: "alice@vendor.example", kind: "status-changed", data: { status: "resolved", from: "open" } });
  }
}

/** The organization's usage as `org usage` reports it, at `now` (for contract year `year` when given). */
export async function usage(d: Driver, orgName: string, now: number, year?: number) {
  const org = await store.requireOrganizationByName(d.db, orgName);
  const policy = d.desk.policies.get(org.policyId)!;
  const cases = (await store.quotaCasesOf(d.db, [org.id])).get(org.id)!;
  return usageReport({ organization: org.name, policy, term: termOf(org), agreement: org.agreement, zone: organizationZone(policy, org), cases, now, ...(year ? { year } : {}) });
}
