/**
 * A customer's email on a case: recorded, a waiting or resolved case back to open, forwarded to the
 * engineers with the case token so they can answer from their mail client.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as store from "../../src/store/index.js";
import type { Db } from "../../src/store/database.js";
import { applyCustomerMessage } from "../../src/correspondence/customer.js";
import { applyStaffMessage } from "../../src/correspondence/staff.js";
import { testDatabases } from "../support/db.js";
import { desk, openCase, OPENED_AT, seedDirectory, storeInbound, type Directory } from "./seed.js";

const HOUR = 3_600_000;

describe.each(testDatabases())("customer correspondence on %s", (target) => {
  let db: Db;
  let dir: Directory;

  beforeAll(async () => {
    db = await target.open();
    dir = await seedDirectory(db);
  });
  afterAll(() => target.close());

  async function staffWrites(caseRow: store.Case, text: string, at: number) {
    const message = await storeInbound(db, caseRow, { from: dir.alice.email, subject: `Re: [Case #${caseRow.number}] x`, text, at });
    return db.transaction((tx) => applyStaffMessage(tx, { desk, caseRow, message, staffMember: dir.alice, now: at }));
  }
  async function customerWrites(caseRow: store.Case, text: string, at: number, attachment?: { filename: string; content: string }) {
    const subject = `Re: [Case #${caseRow.number}] Build fails after upgrade`;
    const message = await storeInbound(db, caseRow, { from: dir.jane.email, subject, text, at, attachment });
    const current = (await store.getCase(db, caseRow.id))!;
    const result = await db.transaction((tx) => applyCustomerMessage(tx, { desk, caseRow: current, message, contact: dir.jane, now: at }));
    return { result, message };
  }
  const kinds = async (caseId: number) => (await store.listEvents(db, caseId)).map((e) => e.kind);

  it("sets a waiting case back to open and forwards the reply to the assigned engineer", async () => {
    const { caseRow } = await openCase(db, dir, { assigneeId: dir.alice.id });
    await staffWrites(caseRow, "#status waiting\nPlease send the logs.", OPENED_AT + HOUR);
    const { result, message } = await customerWrites(caseRow, "Logs attached.\n\n> Please send the logs.", OPENED_AT + 2 * HOUR, {
      filename: "server.log",
      content: "ERROR boom",
    });

    expect(result).toMatchObject({ outcome: "customer-reply", queued: ["forward"] });
    expect((await store.getCase(db, caseRow.id))!.status).toBe("open");
    expect((await kinds(caseRow.id)).slice(-2)).toEqual(["status-changed", "customer-replied"]);
    const forward = (await store.listOutbox(db, { caseId: caseRow.id })).find((r) => r.kind === "forward")!;
    expect(forward).toMatchObject({
      to: ["alice@vendor.example"],
      cc: [],
      from: desk.fromAddress,
      replyTo: desk.fromAddress,
      subject: `Re: [Case #${caseRow.number}] Build fails after upgrade`,
      inReplyTo: message.normalized.messageId,
    });
    expect(forward.text).toContain("Jane Doe <jane@customer.example> (Acme) wrote on case");
    expect(forward.text).toContain("which was waiting and is open again");
    expect(forward.text).toContain("Logs attached.\n\n> Please send the logs.");
    expect(forward.attachments).toEqual([expect.objectContaining({ filename: "server.log", attachmentId: expect.any(Number) })]);
    expect(forward.headers["Auto-Submitted"]).toBeUndefined();
  });

  it("reopens a resolved case", async () => {
    const { caseRow } = await openCase(db, dir, { assigneeId: dir.alice.id });
    await staffWrites(caseRow, "#status resolved\nFixed in 1.41.", OPENED_AT + HOUR);
    await customerWrites(caseRow, "Still failing on 1.41.", OPENED_AT + 3 * HOUR);
    expect((await store.getCase(db, caseRow.id))!.status).toBe("open");
    const events = await store.listEvents(db, caseRow.id);
    expect(events.filter((e) => e.kind === "status-changed").map((e) => e.data)).toEqual([
      { status: "resolved", from: "open" },
      { status: "open", from: "resolved" },
    ]);
  });

  it("forwards to every active engineer while nobody is assigned, and escapes the customer's words in HTML", async () => {
    const { caseRow } = await openCase(db, dir);
    const { result } = await customerWrites(caseRow, "Any news? <script>alert(1)</script>", OPENED_AT + HOUR);
    expect(result.queued).toEqual(["forward"]);
    const forward = (await store.listOutbox(db, { caseId: caseRow.id }))[0]!;
    expect(forward.to).toEqual(["alice@vendor.example", "bob@vendor.example"]);
    expect(forward.text).toContain("Assigned: nobody yet");
    expect(forward.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(forward.html).not.toContain("<script>");
  });

  it("records a reply on a closed case without reopening it", async () => {
    const { caseRow } = await openCase(db, dir, { assigneeId: dir.bob.id });
    await staffWrites(caseRow, "#status closed\n", OPENED_AT + HOUR);
    await customerWrites(caseRow, "Thanks!", OPENED_AT + 2 * HOUR);
    expect((await store.getCase(db, caseRow.id))!.status).toBe("closed");
    expect((await kinds(caseRow.id)).at(-1)).toBe("customer-replied");
    expect((await store.listOutbox(db, { caseId: caseRow.id })).map((r) => r.to)).toEqual([["bob@vendor.example"]]);
  });
});
