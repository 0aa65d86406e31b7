/**
 * A staff member's email on a case: commands applied (or all rejected), the reply recorded and relayed to
 * the customer with threading, the SLA evaluated again. On PGlite and, when configured, real Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as store from "../../src/store/index.js";
import type { Db } from "../../src/store/database.js";
import { evaluateTrail } from "../../src/cases/case-sla.js";
import { loadTrails } from "../../src/scheduler/case-sla.js";
import { applyStaffMessage } from "../../src/correspondence/staff.js";
import { testDatabases } from "../support/db.js";
import { desk, openCase, OPENED_AT, seedDirectory, storeInbound, type Directory } from "./seed.js";

const HOUR = 3_600_000;

describe.each(testDatabases())("staff correspondence on %s", (target) => {
  let db: Db;
  let dir: Directory;

  beforeAll(async () => {
    db = await target.open();
    dir = await seedDirectory(db);
  });
  afterAll(() => target.close());

  async function staffWrites(caseRow: store.Case, text: string, opts: { at?: number; attachment?: { filename: string; content: string } } = {}) {
    const at = opts.at ?? OPENED_AT + HOUR;
    const subject = `Re: [Case #${caseRow.number}] Build fails after upgrade`;
    const message = await storeInbound(db, caseRow, { from: dir.alice.email, subject, text, at, attachment: opts.attachment });
    const result = await db.transaction((tx) => applyStaffMessage(tx, { desk, caseRow, message, staffMember: dir.alice, now: at }));
    return { result, message };
  }
  const kinds = async (caseId: number) => (await store.listEvents(db, caseId)).map((e) => e.kind);

  it("applies #severity and #status, relays the rest to the requester with Cc and threading, and meets the first response", async () => {
    const { caseRow, customerMessageId } = await openCase(db, dir);
    const text = "#severity 1\n#status waiting\nWe need logs\n\nOn Tue, Jane Doe wrote:\n> Our build fails since 1.40.\n";
    const { result } = await staffWrites(caseRow, text, { attachment: { filename: "collect-logs.sh", content: "tar czf logs.tgz /var/log" } });

    expect(result).toMatchObject({ outcome: "reply", errors: [], queued: ["relay"] });
    const updated = (await store.getCase(db, caseRow.id))!;
    expect(updated).toMatchObject({ severity: "1", severitySource: "staff", status: "waiting" });
    expect(await kinds(caseRow.id)).toEqual(["opened", "acknowledged", "severity-changed", "staff-replied", "status-changed"]);

    const [relay] = await store.listOutbox(db, { caseId: caseRow.id });
    expect(relay).toMatchObject({
      kind: "relay",
      from: desk.fromAddress,
      to: ["jane@customer.example"],
      cc: ["raj@customer.example"], // Eve is a DTC too, but not on this case.
      replyTo: desk.fromAddress,
      subject: `Re: [Case #${caseRow.number}] Build fails after upgrade`,
      inReplyTo: customerMessageId,
      references: [customerMessageId],
    });
    expect(relay!.text).toMatch(/^We need logs\n\nOn Tue, Jane Doe wrote:\n> Our build fails since 1\.40\.\n/);
    expect(relay!.text).not.toContain("#severity");
    expect(relay!.text).not.toContain("#status");
    expect(relay!.headers["Auto-Submitted"]).toBeUndefined();
    expect(relay!.attachments).toEqual([expect.objectContaining({ filename: "collect-logs.sh", contentType: "text/plain", attachmentId: expect.any(Number) })]);

    const state = updated.slaState as { metrics: Array<{ metric: string; state: string; metAt: number | null }> };
    expect(state.metrics.find((m) => m.metric === "initial-response")).toMatchObject({ state: "met", metAt: OPENED_AT + HOUR });
  });

  it("counts a staff reply as the first response in evaluateTrail", async () => {
    const { caseRow } = await openCase(db, dir, { severity: "2" });
    const before = evaluateTrail(desk.policies.get("vantiq")!, (await loadTrails(db, [caseRow.id])).get(caseRow.id)!, { entitlements: [], customerZone: null }, [], OPENED_AT + HOUR);
    expect(before.metrics.find((m) => m.metric === "initial-response")!.state).toBe("running");

    await staffWrites(caseRow, "Looking into it now.", { at: OPENED_AT + HOUR });
    const trail = (await loadTrails(db, [caseRow.id])).get(caseRow.id)!;
    const after = evaluateTrail(desk.policies.get("vantiq")!, trail, { entitlements: [], customerZone: null }, [], OPENED_AT + 2 * HOUR);
    expect(after.metrics.find((m) => m.metric === "initial-response")).toMatchObject({ state: "met", metAt: OPENED_AT + HOUR });
  });

  it("rejects a message with an unknown command: nothing applied or relayed, the staff member told which line and why", async () => {
    const { caseRow } = await openCase(db, dir);
    const { result, message } = await staffWrites(caseRow, "#status resolved\n#bogus\nFixed.");

    expect(result).toMatchObject({ outcome: "rejected", queued: ["command-error"] });
    expect(result.errors).toEqual([expect.objectContaining({ line: 2, text: "#bogus" })]);
    expect((await store.getCase(db, caseRow.id))!).toMatchObject({ status: "open", severity: "3" });
    expect(await kinds(caseRow.id)).toEqual(["opened", "acknowledged", "command-rejected"]);

    const rows = await store.listOutbox(db, { caseId: caseRow.id });
    expect(rows.map((r) => r.kind)).toEqual(["command-error"]);
    expect(rows[0]).toMatchObject({ to: ["alice@vendor.example"], inReplyTo: message.normalized.messageId });
    expect(rows[0]!.subject).toContain(`[Case #${caseRow.number}]`);
    expect(rows[0]!.text).toContain("line 2: #bogus");
    expect(rows[0]!.text).toContain("unknown command #bogus");
    expect(rows[0]!.headers["Auto-Submitted"]).toBe("auto-replied");
  });

  it("queues the command-error reply once even if the same message is applied again", async () => {
    const { caseRow } = await openCase(db, dir);
    const { message } = await staffWrites(caseRow, "#severity 9\nHi");
    const again = await db.transaction((tx) => applyStaffMessage(tx, { desk, caseRow, message, staffMember: dir.alice, now: OPENED_AT + HOUR }));
    expect(again.queued).toEqual([]);
    expect((await store.listOutbox(db, { caseId: caseRow.id })).map((r) => r.kind)).toEqual(["command-error"]);
  });

  it("keeps a #comment message as an internal note: recorded, not relayed, not a response", async () => {
    const { caseRow } = await openCase(db, dir);
    const { result } = await staffWrites(caseRow, "#comment\n#assign bob@vendor.example\nCustomer is on an unsupported JDK.");

    expect(result).toMatchObject({ outcome: "note", queued: [] });
    expect((await store.getCase(db, caseRow.id))!.assigneeId).toBe(dir.bob.id);
    const events = await store.listEvents(db, caseRow.id);
    expect(events.map((e) => e.kind)).toEqual(["opened", "acknowledged", "assigned", "note"]);
    expect(events[3]!.data).toMatchObject({ text: "Customer is on an unsupported JDK." });
    expect(await store.listOutbox(db, { caseId: caseRow.id })).toEqual([]);
    const state = (await store.getCase(db, caseRow.id))!.slaState as { metrics: Array<{ metric: string; state: string }> };
    expect(state.metrics.find((m) => m.metric === "initial-response")!.state).toBe("running");
  });

  it("resolving with #status resolved relays the reply, then queues the resolution notice saying a reply reopens it", async () => {
    const { caseRow, customerMessageId } = await openCase(db, dir);
    const { result } = await staffWrites(caseRow, "#status resolved\n#workaround\nFixed in 1.41, please upgrade.");

    expect(result).toMatchObject({ outcome: "reply", queued: ["relay", "resolution-notice"] });
    expect(await kinds(caseRow.id)).toEqual(["opened", "acknowledged", "workaround-provided", "staff-replied", "status-changed"]);
    const notice = (await store.listOutbox(db, { caseId: caseRow.id })).find((r) => r.kind === "resolution-notice")!;
    expect(notice).toMatchObject({ to: ["jane@customer.example"], inReplyTo: customerMessageId });
    expect(notice.text).toContain("is now resolved");
    expect(notice.text).toContain("reply to this message: your reply reopens the case");
    expect(notice.html).toContain("reopens the case");
    const state = (await store.getCase(db, caseRow.id))!.slaState as { metrics: Array<{ metric: string; state: string }> };
    expect(state.metrics.find((m) => m.metric === "initial-response")!.state).toBe("met");
  });

  it("a message of commands only changes the case but relays nothing", async () => {
    const { caseRow } = await openCase(db, dir);
    const { result } = await staffWrites(caseRow, "#assign alice@vendor.example\n#severity 2\n");
    expect(result).toMatchObject({ outcome: "changed", queued: [] });
    expect((await store.getCase(db, caseRow.id))!).toMatchObject({ assigneeId: dir.alice.id, severity: "2" });
    expect(await kinds(caseRow.id)).toEqual(["opened", "acknowledged", "assigned", "severity-changed"]);
  });
});
