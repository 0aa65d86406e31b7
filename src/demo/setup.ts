/**
 * The demo's desk on embedded defaults in one folder: PGlite in <dir>/db, the Maildir at <dir>/maildir and
 * the .eml outbox at <dir>/outbox. The folder is wiped first, so every run starts from an empty database.
 */
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ManualClock } from "../clock/clock.js";
import { configSchema, type Config } from "../config/schema.js";
import { createContext, type AppContext } from "../context.js";
import { silentLogger } from "../log/logger.js";
import { createContact, createOrganization, createStaff } from "../store/index.js";
import type { Db } from "../store/database.js";
import { DEMO_START, DESK, ORGANIZATIONS, QUOTA_HISTORY, STAFF } from "./scenario.js";
import { insertCases } from "../store/repos/inbound.js";
import { appendEvents, listContacts, requireOrganizationByName, setAccountContact, setContractTerm } from "../store/index.js";
import { NEAR_LIMIT_ORGANIZATION, seedQueryHours } from "./query-hours.js";

export interface DemoPaths {
  root: string;
  dataDir: string;
  maildir: string;
  outbox: string;
}

export function demoPaths(dir: string): DemoPaths {
  const root = resolve(dir);
  return { root, dataDir: join(root, "db"), maildir: join(root, "maildir"), outbox: join(root, "outbox") };
}

/** A complete Config for the demo folder; the schema fills in every other default. */
export function demoConfig(paths: DemoPaths): Config {
  return configSchema.parse({
    database: { dataDir: paths.dataDir },
    mailboxes: [{ name: "support", kind: "maildir", address: DESK.address, policy: "vantiq", maildir: { path: paths.maildir } }],
    outboxDir: paths.outbox,
    supportDomain: DESK.supportDomain,
    timeZone: DESK.timeZone,
    log: { level: "silent" },
  });
}

export async function openDemoDesk(dir: string): Promise<{ ctx: AppContext; clock: ManualClock; paths: DemoPaths }> {
  const paths = demoPaths(dir);
  await rm(paths.root, { recursive: true, force: true });
  const clock = new ManualClock(DEMO_START);
  const ctx = await createContext(demoConfig(paths), { clock, logger: silentLogger(), migrate: true });
  try {
    await seedDirectory(ctx.database.db);
  } catch (error) {
    await ctx.close();
    throw error;
  }
  return { ctx, clock, paths };
}

/** One organization per bundled policy (two for CIQ Premium), each with two DTCs and one non-DTC; our staff. */
export async function seedDirectory(db: Db): Promise<void> {
  // Staff first: an organization may name its engineer.
  const staff = new Map<string, number>();
  for (const s of STAFF) staff.set(s.email, (await createStaff(db, { ...s })).id);
  for (const o of ORGANIZATIONS) {
    const row = await createOrganization(db, {
      name: o.name,
      policyId: o.policyId,
      timeZone: o.timeZone,
      domains: [o.domain],
      entitlements: o.entitlements,
      engineerId: o.engineer ? (staff.get(o.engineer) ?? null) : null,
    });
    for (const p of o.dtcs) await createContact(db, { ...p, organizationId: row.id, dtc: true });
    await createContact(db, { ...o.other, organizationId: row.id, dtc: false });
  }
  await seedQueryHours(db, ORGANIZATIONS.find((o) => o.name === NEAR_LIMIT_ORGANIZATION)!.domain);
  await seedQuotaHistory(db);
}

/** Taiga Telecom's contract and the tickets resolved for it before the demo week (one a week from February). */
async function seedQuotaHistory(db: Db): Promise<void> {
  const h = QUOTA_HISTORY;
  const org = await requireOrganizationByName(db, h.organization);
  await setContractTerm(db, org.id, { contractStart: h.contractStart, contractEnd: null });
  await setAccountContact(db, org.id, h.accountContact);
  const requester = (await listContacts(db, { organizationId: org.id })).find((c) => c.dtc)!;
  for (let i = 0; i < h.resolved; i++) {
    const opened = new Date(Date.parse("2026-02-02T07:00:00Z") + i * 7 * 86_400_000);
    const resolved = new Date(opened.getTime() + 2 * 86_400_000);
    const [c] = await insertCases(db, [{
      number: h.firstNumber + i, organizationId: org.id, requesterId: requester.id, subject: `Earlier ticket ${i + 1}`, caseType: "incident", severity: "2",
      severitySource: "default", policyId: org.policyId, status: "resolved", openedAt: opened, updatedAt: resolved,
    }]);
    await appendEvents(db, [
      { caseId: c!.id, at: opened, actor: requester.email, kind: "opened", data: { caseType: "incident", severity: "2" } },
      { caseId: c!.id, at: resolved, actor: "alice@vendor.example", kind: "status-changed", data: { status: "resolved", from: "open" } },
    ]);
  }
}
