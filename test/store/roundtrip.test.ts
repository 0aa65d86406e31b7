/**
 * Every entity goes in and comes back out through the repositories, on PGlite and (when
 * TEST_DATABASE_URL is set) on real Postgres: same code, same results.
 */
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import * as store from "../../src/store/index.js";
import type { Db } from "../../src/store/index.js";
import { testDatabases } from "../support/db.js";

const at = (iso: string) => new Date(iso);

describe.each(testDatabases())("store round-trip on %s", (target) => {
  let db: Db;
  let org: store.Organization;
  let requester: store.Contact;
  let engineer: store.Staff;
  let kase: store.Case;

  beforeAll(async () => {
    db = await target.open();
    org = await store.createOrganization(db, {
      name: "Acme Rockets",
      policyId: "konneqt",
      plan: "premium",
      entitlements: ["24x7-sev1"],
      contractStart: "2025-01-01",
      contractEnd: "2026-12-31",
      timeZone: "America/Los_Angeles",
      domains: ["Acme.example"],
      closedDates: ["2025-12-24"],
    });
    requester = await store.createContact(db, { email: "Wile.E@Acme.example", name: "Wile E.", organizationId: org.id, dtc: true });
    engineer = await store.createStaff(db, { email: "alice@vendor.example", name: "Alice", role: "engineer", timeZone: "Europe/Paris" });
    kase = await store.createCase(db, {
      organizationId: org.id,
      requesterId: requester.id,
      subject: "Rocket skates explode",
      caseType: "incident",
      severity: "1",
      severitySource: "field",
      policyId: "konneqt",
      environment: "production",
      namespaces: ["prod-a", "prod-b"],
      templateFields: { product: "Skates 2.1" },
      missingFields: ["steps"],
      openedAt: at("2025-03-03T09:00:00Z"),
      nextActionAt: at("2025-03-03T10:00:00Z"),
      slaState: { metrics: [] },
      updatedAt: at("2025-03-03T09:00:00Z"),
    });
  });
  afterAll(() => target.close());

  it("organizations: read by name, list, find by domain, update entitlements", async () => {
    const read = await store.getOrganizationByName(db, "Acme Rockets");
    expect(read).toMatchObject({ policyId: "konneqt", plan: "premium", contractStart: "2025-01-01", domains: ["acme.example"], closedDates: ["2025-12-24"] });
    expect((await store.listOrganizations(db)).map((o) => o.name)).toEqual(["Acme Rockets"]);
    expect((await store.findOrganizationByDomain(db, "ACME.example"))?.id).toBe(org.id);
    expect(await store.findOrganizationByDomain(db, "other.example")).toBeUndefined();
    const updated = await store.updateEntitlements(db, org.id, ["24x7-sev1", "named-contact"]);
    expect(updated.entitlements).toEqual(["24x7-sev1", "named-contact"]);
    await expect(store.createOrganization(db, { name: "Acme Rockets", policyId: "x" })).rejects.toThrow(/already exists/);
  });

  it("contacts: lowercased, found case-insensitively while active, DTC colleagues, deactivate", async () => {
    expect(requester.email).toBe("wile.e@acme.example");
    expect((await store.findActiveContactByEmail(db, "WILE.E@acme.EXAMPLE"))?.id).toBe(requester.id);
    const road = await store.createContact(db, { email: "road@acme.example", name: "Road Runner", organizationId: org.id, dtc: true, timeZone: "UTC" });
    await store.createContact(db, { email: "coyote@acme.example", name: "Not a DTC", organizationId: org.id });
    expect((await store.otherDtcs(db, org.id, requester.id)).map((c) => c.email)).toEqual(["road@acme.example"]);
    expect(await store.listContacts(db, { organizationId: org.id })).toHaveLength(3);
    await expect(store.createContact(db, { email: "ROAD@acme.example", name: "dup", organizationId: org.id })).rejects.toThrow(/already exists/);
    await store.deactivateContact(db, "Road@Acme.example");
    expect(await store.findActiveContactByEmail(db, road.email)).toBeUndefined();
    expect((await store.getContactByEmail(db, road.email))?.active).toBe(false);
  });

  it("staff: roles, managers, lookup by email", async () => {
    await store.createStaff(db, { email: "Boss@vendor.example", name: "Boss", role: "manager" });
    await store.createStaff(db, { email: "ceo@vendor.example", name: "CEO", role: "executive" });
    expect((await store.listManagers(db)).map((s) => s.email)).toEqual(["boss@vendor.example"]);
    expect((await store.getStaffByEmail(db, "ALICE@vendor.example"))?.timeZone).toBe("Europe/Paris");
    expect(await store.listStaff(db)).toHaveLength(3);
    await expect(store.createStaff(db, { email: "x@vendor.example", name: "X", role: "intern" as never })).rejects.toThrow(/unknown staff role "intern"/);
  });

  it("cases: numbered, read back with all fields, listed by status and organization, updated", async () => {
    const second = await store.createCase(db, { ...caseInput(), subject: "Second" });
    expect(second.number).toBe(kase.number + 1);
    const read = await store.getCaseByNumber(db, kase.number);
    expect(read).toMatchObject({
      subject: "Rocket skates explode",
      status: "open",
      namespaces: ["prod-a", "prod-b"],
      templateFields: { product: "Skates 2.1" },
      missingFields: ["steps"],
      slaState: { metrics: [] },
      remindersSent: [],
      assigneeId: null,
    });
    expect(read?.openedAt.toISOString()).toBe("2025-03-03T09:00:00.000Z");
    const changed = await store.updateCase(db, second.id, { status: "waiting", assigneeId: engineer.id, remindersSent: ["initial-response:0.5:0"], updatedAt: at("2025-03-03T11:00:00Z") });
    expect(changed).toMatchObject({ status: "waiting", assigneeId: engineer.id, remindersSent: ["initial-response:0.5:0"] });
    expect((await store.listCases(db, { status: "waiting" })).map((c) => c.subject)).toEqual(["Second"]);
    expect((await store.listCases(db, { organizationId: org.id })).map((c) => c.number)).toEqual([second.number, kase.number]);
    expect(await store.listCases(db, { organizationId: org.id + 999 })).toEqual([]);
  });

  it("case events: appended and listed in order", async () => {
    await store.appendEvent(db, { caseId: kase.id, at: at("2025-03-03T09:00:01Z"), actor: "system", kind: "acknowledged" });
    await store.appendEvent(db, { caseId: kase.id, at: at("2025-03-03T09:00:00Z"), actor: "wile.e@acme.example", kind: "opened", data: { severity: "1" } });
    const events = await store.listEvents(db, kase.id);
    expect(events.map((e) => e.kind)).toEqual(["opened", "acknowledged"]);
    expect(events[0]?.data).toEqual({ severity: "1" });
  });

  it("messages and attachments: stored once by Message-ID and by source key, threaded by ids", async () => {
    const msg = await store.insertMessage(db, messageInput({ messageId: "<m1@acme.example>", sourceUid: 7 }));
    expect(msg).toBeDefined();
    expect(await store.insertMessage(db, messageInput({ messageId: "<m1@acme.example>", sourceUid: 8 }))).toBeUndefined();
    expect(await store.insertMessage(db, messageInput({ messageId: "<other@acme.example>", sourceUid: 7 }))).toBeUndefined();
    expect(await store.insertMessage(db, messageInput({ messageId: null, sourceUid: null, sourceUidValidity: null }))).toBeDefined();
    expect(await store.messageExistsBySource(db, { mailbox: "support", uidValidity: 42, uid: 7 })).toBe(true);
    expect(await store.messageExistsBySource(db, { mailbox: "support", uidValidity: 43, uid: 7 })).toBe(false);
    expect(await store.messageExistsByMessageId(db, "<m1@acme.example>")).toBe(true);
    expect(await store.findCaseIdByMessageIds(db, ["<unknown@x>", "<m1@acme.example>"])).toBe(kase.id);
    expect(await store.findCaseIdByMessageIds(db, ["<unknown@x>"])).toBeUndefined();
    const read = await store.getMessageByMessageId(db, "<m1@acme.example>");
    expect(read).toMatchObject({ to: ["support@vendor.example"], references: ["<r0@acme.example>"], direction: "in", rawSize: 1234 });
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await store.insertAttachments(db, [{ messageId: msg!.id, filename: "log.bin", contentType: "application/octet-stream", size: 4, sha256: "ab", content: bytes }]);
    const [att] = await store.listAttachments(db, msg!.id);
    expect(att && Array.from(att.content!)).toEqual([0, 1, 2, 255]);
    expect((await store.listMessagesForCase(db, kase.id)).map((m) => m.messageId)).toEqual(["<m1@acme.example>", null]);
  });

  it("outbox: a second insert with the same idempotency key is ignored; replies thread via our Message-ID", async () => {
    const row = outboxInput("ack:1");
    expect(await store.insertOutbox(db, row)).toMatchObject({ inserted: true });
    expect(await store.insertOutbox(db, { ...row, messageId: "<another@vendor.example>", subject: "changed" })).toEqual({ inserted: false, id: undefined });
    const stored = await store.getOutboxByKey(db, "ack:1");
    expect(stored).toMatchObject({ state: "queued", attempts: 0, subject: "Re: [Case #1] Rocket skates explode", headers: { "Auto-Submitted": "auto-replied" } });
    expect(await store.listOutbox(db, { caseId: kase.id })).toHaveLength(1);
    expect(await store.findCaseIdByMessageIds(db, ["<ack-1@vendor.example>"])).toBe(kase.id);
  });

  it("digests: recorded once per manager and day", async () => {
    const boss = (await store.listManagers(db))[0]!;
    expect(await store.markDigestSent(db, boss.id, "2025-03-03", at("2025-03-03T16:00:00Z"))).toBe(true);
    expect(await store.markDigestSent(db, boss.id, "2025-03-03", at("2025-03-03T16:01:00Z"))).toBe(false);
    expect(await store.digestWasSent(db, boss.id, "2025-03-03")).toBe(true);
    expect(await store.digestWasSent(db, boss.id, "2025-03-04")).toBe(false);
  });

  it("mailboxes, cursors, rejections and processing attempts", async () => {
    await store.upsertMailbox(db, { name: "support", kind: "imap", address: "support@vendor.example", defaultPolicyId: "konneqt" });
    await store.upsertMailbox(db, { name: "support", kind: "imap", address: "help@vendor.example", defaultPolicyId: "konneqt" });
    expect((await store.listMailboxes(db)).map((m) => m.address)).toEqual(["help@vendor.example"]);
    await store.setCursor(db, { mailbox: "support", folder: "INBOX", uidValidity: 3_000_000_000, lastUid: 10, updatedAt: at("2025-03-03T09:00:00Z") });
    await store.setCursor(db, { mailbox: "support", folder: "INBOX", uidValidity: 3_000_000_000, lastUid: 11, updatedAt: at("2025-03-03T09:01:00Z") });
    expect(await store.getCursor(db, "support", "INBOX")).toMatchObject({ uidValidity: 3_000_000_000, lastUid: 11 });
    const rejection = await store.insertRejection(db, {
      mailbox: "support", messageId: "<spam@x>", sourceUidValidity: 42, sourceUid: 99, from: "x@unknown.example", subject: "hi",
      reasonCode: "unknown-sender", detail: "not a contact", disposition: "refused", at: at("2025-03-03T09:00:00Z"), raw: new Uint8Array([65, 66]),
    });
    expect(rejection.attempts).toBe(1);
    const [read] = await store.listRejections(db, { mailbox: "support" });
    expect(read).toMatchObject({ reasonCode: "unknown-sender", disposition: "refused" });
    expect(Array.from(read!.raw!)).toEqual([65, 66]);
    const key = store.sourceKey("support", 42, 100);
    expect(await store.recordProcessingFailure(db, key, "boom 1", at("2025-03-03T09:00:00Z"))).toBe(1);
    expect(await store.recordProcessingFailure(db, key, "boom 2", at("2025-03-03T09:00:01Z"))).toBe(2);
    expect(await store.getProcessingAttempts(db, key)).toBe(2);
    await store.clearProcessingAttempts(db, key);
    expect(await store.getProcessingAttempts(db, key)).toBe(0);
  });

  function caseInput(): store.NewCase {
    return {
      organizationId: org.id, requesterId: requester.id, subject: "x", caseType: "query", severity: "3", severitySource: "default",
      policyId: "konneqt", openedAt: at("2025-03-03T10:00:00Z"), updatedAt: at("2025-03-03T10:00:00Z"),
    };
  }
  function messageInput(over: Partial<store.NewMessage>): store.NewMessage {
    return {
      caseId: kase.id, mailbox: "support", direction: "in", inReplyTo: null, references: ["<r0@acme.example>"], from: "wile.e@acme.example",
      to: ["support@vendor.example"], cc: [], subject: "Rocket skates explode", text: "Help", html: null, receivedAt: at("2025-03-03T09:00:00Z"),
      rawSize: 1234, sourceUidValidity: 42, contentHash: "h", ...over,
    };
  }
  function outboxInput(key: string): store.NewOutboxRow {
    return {
      idempotencyKey: key, kind: "acknowledgment", caseId: kase.id, from: "support@vendor.example", to: ["wile.e@acme.example"],
      subject: "Re: [Case #1] Rocket skates explode", messageId: "<ack-1@vendor.example>", headers: { "Auto-Submitted": "auto-replied" },
      text: "We got it", nextAttemptAt: at("2025-03-03T09:00:00Z"), createdAt: at("2025-03-03T09:00:00Z"),
    };
  }
});
