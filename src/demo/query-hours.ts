/**
 * The demo's Konneqt Basic customer near its query hours ([003] Basic "General Queries ... 25 hours"): a
 * contract from 1 January 2026 and a resolved Query from October with 22 hours recorded by our engineers, one
 * "nocount" fix ([003] "except for time spent developing a fix ... so severe that it prevents the products from
 * being used at even a basic level"). `support-inbox org usage "Pampa Logística"` on the demo database shows
 * 22 of 25 hours used; the next 30 minutes on a Query pass nothing, 3 hours reach the limit.
 */
import type { Db } from "../store/database.js";
import { appendEvents, createCaseNumbered, getContactByEmail, requireOrganizationByName, setContractTerm } from "../store/index.js";

export const NEAR_LIMIT_ORGANIZATION = "Pampa Logística";

const ENTRIES: Array<[string, string, number, boolean, string]> = [
  ["2026-10-05T14:00:00-03:00", "alice@vendor.example", 360, true, "reading the customer's mapping files"],
  ["2026-10-06T15:00:00-03:00", "bob@vendor.example", 480, true, "call and a sample flow"],
  ["2026-10-07T11:00:00-03:00", "bob@vendor.example", 240, false, "fix for the connector that would not start"],
  ["2026-10-08T16:00:00-03:00", "alice@vendor.example", 480, true, "paging through the sync API"],
];

export async function seedQueryHours(db: Db, domain: string): Promise<void> {
  const org = await requireOrganizationByName(db, NEAR_LIMIT_ORGANIZATION);
  await setContractTerm(db, org.id, { contractStart: "2026-01-01", contractEnd: null });
  const requester = (await getContactByEmail(db, `joao.silva@${domain}`))!;
  const opened = new Date("2026-10-05T10:00:00-03:00");
  // Numbered apart from the week's cases, so theirs stay #1, #2, … as the script expects.
  const c = await createCaseNumbered(db, 901, {
    organizationId: org.id,
    requesterId: requester.id,
    subject: "How do we map nested invoices?",
    caseType: "query",
    severity: "P3",
    severitySource: "default",
    policyId: org.policyId,
    status: "resolved",
    openedAt: opened,
    updatedAt: new Date("2026-10-09T10:00:00-03:00"),
  });
  await appendEvents(db, [
    { caseId: c.id, at: opened, actor: requester.email, kind: "opened", data: { caseType: "query", severity: "P3", environment: null } },
    ...ENTRIES.map(([at, actor, minutes, counts, note]) => ({ caseId: c.id, at: new Date(at), actor, kind: "time-recorded", data: { minutes, counts, note } })),
    { caseId: c.id, at: new Date("2026-10-09T10:00:00-03:00"), actor: "alice@vendor.example", kind: "status-changed", data: { status: "resolved", from: "open" } },
  ]);
}
