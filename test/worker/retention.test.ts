import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeExpiredAttachments } from "../../src/retention/attachments.js";
import type { Db } from "../../src/store/database.js";
import { createCase } from "../../src/store/repos/cases.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { appendEvent, listEvents } from "../../src/store/repos/events.js";
import { insertAttachments, insertMessage } from "../../src/store/repos/messages.js";
import { createOrganization } from "../../src/store/repos/organizations.js";
import { attachments } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { testDesk } from "../support/desk.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-23T12:00:00Z");
const policies = testDesk().policies;

describe.each(testDatabases())("attachment retention on %s", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(() => target.close());

  /** A case of `policyId` with one attachment, resolved `closedDaysAgo` days before NOW (null: still open). */
  async function caseWithAttachment(name: string, policyId: string, closedDaysAgo: number | null, contractEnd: string | null = null) {
    const org = await createOrganization(db, { name, policyId, contractEnd });
    const contact = await createContact(db, { email: `dtc@${name.toLowerCase()}.example`, name: "DTC", organizationId: org.id, dtc: true });
    const opened = new Date(NOW - 200 * DAY);
    const c = await createCase(db, {
      organizationId: org.id,
      requesterId: contact.id,
      subject: `${name} case`,
      caseType: "incident",
      severity: policyId === "vantiq" ? "2" : "P2",
      severitySource: "field",
      policyId,
      status: closedDaysAgo === null ? "open" : "resolved",
      openedAt: opened,
      updatedAt: opened,
    });
    if (closedDaysAgo !== null) {
      await appendEvent(db, { caseId: c.id, at: new Date(NOW - closedDaysAgo * DAY), actor: "alice@vendor.example", kind: "status-changed", data: { status: "resolved" } });
    }
    const message = await insertMessage(db, { caseId: c.id, direction: "in", messageId: `${name}@x`, from: contact.email, receivedAt: opened });
    await insertAttachments(db, [{ messageId: message!.id, filename: "dump.bin", contentType: "application/octet-stream", size: 3, sha256: "abc", content: new Uint8Array([1, 2, 3]) }]);
    return c;
  }

  it("deletes Konneqt attachments 90 days after the case was resolved or the contract ended, and keeps the record", async () => {
    const old = await caseWithAttachment("Old", "konneqt-enterprise", 91);
    const recent = await caseWithAttachment("Recent", "konneqt-enterprise", 89);
    const open = await caseWithAttachment("Open", "konneqt-enterprise", null);
    const ended = await caseWithAttachment("Ended", "konneqt-enterprise", null, "2026-08-01"); // contract over 114 days ago
    const vantiq = await caseWithAttachment("Vantiq", "vantiq", 400); // VANTIQ's policy states no retention period

    expect(await purgeExpiredAttachments(db, policies, NOW)).toEqual({ cases: 2, attachments: 2 });
    const rows = await db.select({ filename: attachments.filename, content: attachments.content, messageId: attachments.messageId }).from(attachments);
    expect(rows.filter((r) => r.content === null)).toHaveLength(2);
    expect(rows.every((r) => r.filename === "dump.bin")).toBe(true);
    for (const [c, purged] of [[old, true], [ended, true], [recent, false], [open, false], [vantiq, false]] as const) {
      const kinds = (await listEvents(db, c.id)).map((e) => e.kind);
      expect(kinds.includes("attachments-purged"), c.subject).toBe(purged);
    }
    // Running again finds nothing more to delete.
    expect(await purgeExpiredAttachments(db, policies, NOW)).toEqual({ cases: 0, attachments: 0 });
    const [kept] = await db.select().from(attachments).where(eq(attachments.sha256, "abc")).limit(1);
    expect(kept).toBeDefined();
  });
});
