/**
 * A support desk for integration tests: the bundled policies, the bundled templates, fixed addresses,
 * and a directory seeded through the same repositories the CLI uses.
 */
import type { InboundConfig } from "../../src/cases/inbound-decision.js";
import { DEFAULT_PARSE_LIMITS } from "../../src/mail/message.js";
import { createTemplateRenderer } from "../../src/outbox/templates.js";
import { loadBundledPolicies } from "../../src/policy/load.js";
import type { Db } from "../../src/store/database.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { createOrganization } from "../../src/store/repos/organizations.js";
import { createStaff } from "../../src/store/repos/staff.js";
import type { Desk } from "../../src/desk.js";
import type { InboundDeps } from "../../src/inbound/process.js";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { ManualClock, type Clock } from "../../src/clock/clock.js";
import { MaildirSource } from "../../src/sources/maildir.js";
import type { TestDatabase } from "./db.js";
import { SUPPORT } from "../../harness/support-address.js";
import { attachments, caseEvents, deferredAcknowledgments, cases, contacts, inboundRejections, messages, organizations, outbox, pastBreaches, processingAttempts, staff, suppressedAddresses } from "../../src/store/schema/index.js";

export { SUPPORT };

export function testDesk(): Desk {
  return {
    policies: loadBundledPolicies(),
    templates: createTemplateRenderer(),
    fromAddress: SUPPORT,
    supportDomain: "support-inbox.local",
    caseTokenFormat: "[Case #{number}]",
    timeZone: "America/Los_Angeles",
  };
}

export const inboundConfig: InboundConfig = {
  autoReplyCapPerHour: 5,
  unknownSenders: "reply",
  caseTokenFormat: "[Case #{number}]",
  ourDomains: ["support-inbox.local"],
  ourAddresses: [SUPPORT],
  requireDkimOrSpf: false,
};

export function inboundDeps(db: Db, clock: Clock, desk = testDesk()): InboundDeps {
  const quiet = { info() {}, warn() {}, error() {} };
  return { db, desk, clock, logger: quiet, config: inboundConfig, limits: DEFAULT_PARSE_LIMITS, failedKeys: new Set() };
}

/** Acme on VANTIQ with two DTCs and a non-DTC colleague; one engineer, one manager. */
export async function seedAcme(db: Db, opts: { policyId?: string; entitlements?: string[] } = {}) {
  const org = await createOrganization(db, {
    name: "Acme",
    policyId: opts.policyId ?? "vantiq",
    entitlements: opts.entitlements ?? [],
    domains: ["customer.example"],
    timeZone: "America/Los_Angeles",
  });
  const jane = await createContact(db, { email: "jane.doe@customer.example", name: "Jane Doe", organizationId: org.id, dtc: true, timeZone: "America/Los_Angeles" });
  const omar = await createContact(db, { email: "omar.haddad@customer.example", name: "Omar Haddad", organizationId: org.id, dtc: true });
  const marco = await createContact(db, { email: "m.rossi@customer.example", name: "Marco Rossi", organizationId: org.id, dtc: false });
  const alice = await createStaff(db, { email: "alice@vendor.example", name: "Alice Engineer", role: "engineer", timeZone: "America/Los_Angeles" });
  const mike = await createStaff(db, { email: "mike@vendor.example", name: "Mike Manager", role: "manager", timeZone: "America/New_York" });
  return { org, jane, omar, marco, alice, mike };
}

/** Empties everything the inbound pipeline writes and the directory, then seeds Acme again. */
export async function resetAndSeedAcme(db: Db) {
  for (const t of [deferredAcknowledgments, outbox, attachments, caseEvents, messages, pastBreaches, cases, inboundRejections, processingAttempts, suppressedAddresses, contacts, organizations, staff]) await db.delete(t);
  return seedAcme(db);
}

/** What an inbound test works with, filled in by the hooks useMaildirDesk registers. */
export interface MaildirDesk {
  db: Db;
  /** The Maildir the source reads (deliverToMaildir puts mail there). */
  dir: string;
  source: MaildirSource;
  clock: ManualClock;
}

/**
 * The hooks of an inbound test file: the target's database for the whole file; before each test Acme
 * seeded afresh (resetAndSeedAcme), an empty Maildir with its source, and a clock on a Tuesday morning
 * in Acme's business hours.
 */
export function useMaildirDesk(target: TestDatabase): MaildirDesk {
  const desk = {} as MaildirDesk;
  beforeAll(async () => {
    desk.db = await target.open();
  });
  afterAll(() => target.close());
  beforeEach(async () => {
    await resetAndSeedAcme(desk.db);
    desk.dir = await mkdtemp(join(tmpdir(), "maildir-"));
    desk.clock = new ManualClock("2026-11-10T17:14:30Z"); // Tue 09:14:30 Pacific
    desk.source = new MaildirSource({ name: "support", path: desk.dir, clock: desk.clock });
  });
  return desk;
}
