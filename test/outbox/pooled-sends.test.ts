/**
 * The worker's outbox as it runs on a busy desk: several mails in flight on pooled connections to a real
 * smtp-server, outcomes stored in groups. Every mail is accepted once, a case's mails arrive in the order
 * they were queued, and a 451 or a connection dropped in the middle of a batch costs a retry, never a copy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { ManualClock } from "../../src/clock/clock.js";
import { deliverAllDue, SEND_CONCURRENCY } from "../../src/outbox/deliver.js";
import { enqueueMany, type NewOutgoing } from "../../src/outbox/queue.js";
import { createSmtpSender, type MailSender } from "../../src/outbox/sender.js";
import type { Db } from "../../src/store/database.js";
import { createCase } from "../../src/store/repos/cases.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { createOrganization } from "../../src/store/repos/organizations.js";
import { outbox } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";

const quiet = { info() {}, warn() {}, error() {} };
const retry = { baseMs: 1000, maxDelayMs: 60_000, maxAttempts: 5 };
const MESSAGE_ID = /^Message-ID:\s*<([^>\r\n]+)>/im;

/** smtp-server that records accepted Message-IDs in order and can fail chosen DATA commands (by arrival number). */
async function startServer() {
  const state = {
    accepted: [] as string[],
    /** DATA number → what to do instead of accepting: answer 451, or cut the connection without a reply. */
    faults: new Map<number, "451" | "drop">(),
    dataSeen: 0,
    open: 0,
    maxOpen: 0,
  };
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onConnect(_session, callback) {
      state.open++;
      state.maxOpen = Math.max(state.maxOpen, state.open);
      callback();
    },
    onClose() {
      state.open--;
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const fault = state.faults.get(++state.dataSeen);
        if (fault === "451") return callback(Object.assign(new Error("4.3.0 try again later"), { responseCode: 451 }));
        if (fault === "drop") {
          // The client loses the connection before any reply: it cannot know the mail was not taken.
          const connections = (server as unknown as { connections: Set<{ session: { id: string }; _socket: { destroy(): void } }> }).connections;
          for (const c of connections) if (c.session.id === session.id) c._socket.destroy();
          return;
        }
        state.accepted.push(MESSAGE_ID.exec(Buffer.concat(chunks).toString("latin1"))?.[1] ?? "?");
        callback();
      });
    },
  });
  server.on("error", () => {}); // the dropped connection's reset
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { state, port: (server.server.address() as AddressInfo).port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(testDatabases())("pooled, parallel outbox delivery on %s", (target) => {
  let db: Db;
  let smtp: Awaited<ReturnType<typeof startServer>>;
  let sender: MailSender;
  let clock: ManualClock;
  let caseIds: number[];

  beforeAll(async () => {
    db = await target.open();
    smtp = await startServer();
    sender = createSmtpSender({ host: "127.0.0.1", port: smtp.port, secure: false, pool: true, maxConnections: SEND_CONCURRENCY, timeoutSeconds: 5 });
    const org = await createOrganization(db, { name: "Busy", policyId: "vantiq", entitlements: [], domains: ["busy.example"], timeZone: "UTC" });
    const contact = await createContact(db, { email: "dtc@busy.example", name: "DTC", organizationId: org.id, dtc: true });
    caseIds = [];
    for (let i = 0; i < 20; i++) {
      const opened = new Date("2026-11-20T15:00:00Z");
      const c = await createCase(db, { organizationId: org.id, requesterId: contact.id, subject: `case ${i}`, caseType: "incident", severity: "2", severitySource: "field", policyId: "vantiq", status: "open", openedAt: opened, updatedAt: opened });
      caseIds.push(c.id);
    }
  });
  afterAll(async () => {
    await sender.close();
    await smtp.stop();
    await target.close();
  });
  beforeEach(async () => {
    await db.delete(outbox);
    smtp.state.accepted.length = 0;
    smtp.state.faults.clear();
    smtp.state.dataSeen = 0;
    clock = new ManualClock("2026-11-20T16:00:00Z");
  });

  /** Three mails per case (acknowledgment, then two follow-ups), queued case after case: 60 in all. */
  async function queueThreePerCase(): Promise<string[]> {
    const rows: NewOutgoing[] = [];
    for (const [i, caseId] of caseIds.entries()) {
      for (const step of [0, 1, 2]) {
        rows.push({
          idempotencyKey: `pooled:${i}:${step}`,
          kind: step === 0 ? "acknowledgment" : "notice",
          caseId,
          from: "support@vendor.example",
          to: ["dtc@busy.example"],
          subject: `Re: [Case #${i}] step ${step}`,
          messageId: `case${i}-step${step}@custom.vendor.example`,
          text: `case ${i}, step ${step}`,
        });
      }
    }
    await enqueueMany(db, rows, clock.now());
    return rows.map((r) => r.messageId);
  }

  const stepsOf = (accepted: string[], i: number) => accepted.filter((id) => id.startsWith(`case${i}-`)).map((id) => /step(\d)/.exec(id)![1]);

  it("sends every mail once over several connections at a time, each case's mails in the order queued", async () => {
    const ids = await queueThreePerCase();
    const summary = await deliverAllDue({ db, sender, clock, logger: quiet, retry, concurrency: SEND_CONCURRENCY });
    expect(summary).toMatchObject({ claimed: 60, sent: 60, retried: 0, failed: 0 });
    expect([...smtp.state.accepted].sort()).toEqual([...ids].sort());
    expect(smtp.state.maxOpen).toBeGreaterThan(1);
    for (let i = 0; i < caseIds.length; i++) expect(stepsOf(smtp.state.accepted, i)).toEqual(["0", "1", "2"]);
    const rows = await db.select().from(outbox);
    expect(rows.every((r) => r.state === "sent" && r.attempts === 1 && r.sentAt !== null && r.lockedUntil === null)).toBe(true);
  });

  it("retries the mails answered 451 or cut off mid-batch, and every mail reaches the server exactly once", async () => {
    const ids = await queueThreePerCase();
    for (const k of [3, 11, 27]) smtp.state.faults.set(k, "451");
    for (const k of [7, 40]) smtp.state.faults.set(k, "drop");
    const first = await deliverAllDue({ db, sender, clock, logger: quiet, retry, concurrency: SEND_CONCURRENCY });
    expect(first).toMatchObject({ claimed: 60, sent: 55, retried: 5, failed: 0 });
    const waiting = await db.select().from(outbox);
    const retried = waiting.filter((r) => r.state === "queued");
    expect(retried).toHaveLength(5);
    expect(retried.every((r) => r.attempts === 1 && r.lastError !== null && r.lockedUntil === null)).toBe(true);
    // Their backoff over, the next pass sends exactly those five.
    clock.advance(retry.maxDelayMs);
    const second = await deliverAllDue({ db, sender, clock, logger: quiet, retry, concurrency: SEND_CONCURRENCY });
    expect(second).toMatchObject({ claimed: 5, sent: 5, retried: 0 });
    expect(smtp.state.accepted).toHaveLength(60);
    expect([...smtp.state.accepted].sort()).toEqual([...ids].sort());
    expect((await db.select().from(outbox)).every((r) => r.state === "sent")).toBe(true);
  });
});
