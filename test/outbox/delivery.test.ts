import { beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { ManualClock } from "../../src/clock/clock.js";
import { deliverDue } from "../../src/outbox/deliver.js";
import { claimDue, enqueue, markBounced, type NewOutgoing } from "../../src/outbox/queue.js";
import type { MailSender } from "../../src/outbox/sender.js";
import type { Db } from "../../src/store/database.js";
import { outbox } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { useOutboxServers } from "../support/outbox.js";
import type { TestSmtpServer } from "../support/smtp.js";

const quiet = { info() {}, warn() {}, error() {} };
const retry = { baseMs: 1000, maxDelayMs: 60_000, maxAttempts: 5 };

function mail(n: number): NewOutgoing {
  return {
    idempotencyKey: `test:${n}`,
    kind: "acknowledgment",
    caseId: null,
    from: "support@vendor.example",
    to: [`dtc${n}@customer.example`],
    subject: `Re: [Case #${n}] test`,
    messageId: `m${n}@support.vendor.example`,
    headers: { "Auto-Submitted": "auto-replied" },
    text: `message ${n}`,
  };
}

describe.each(testDatabases())("outbox delivery on %s", (target) => {
  let db: Db;
  let smtp: TestSmtpServer;
  let sender: MailSender;
  let clock: ManualClock;

  const servers = useOutboxServers(target, { pool: false, timeoutSeconds: 2 });
  beforeEach(() => {
    ({ db, smtp, sender } = servers);
    clock = new ManualClock("2026-11-20T16:00:00Z");
  });

  it("queues a message once per idempotency key", async () => {
    expect(await enqueue(db, mail(1), clock.now())).toBe(true);
    expect(await enqueue(db, mail(1), clock.now())).toBe(false);
    expect(await db.select().from(outbox)).toHaveLength(1);
  });

  it("delivers everything exactly once after an SMTP outage ends", async () => {
    for (const n of [1, 2, 3]) await enqueue(db, mail(n), clock.now());
    smtp.failWith = 421;
    const first = await deliverDue({ db, sender, clock, logger: quiet, retry, random: () => 0 });
    expect(first).toMatchObject({ claimed: 3, sent: 0, retried: 3 });
    // Nothing is due until the backoff has passed.
    expect((await deliverDue({ db, sender, clock, logger: quiet, retry })).claimed).toBe(0);
    smtp.failWith = null;
    clock.advance(60_000);
    expect(await deliverDue({ db, sender, clock, logger: quiet, retry })).toMatchObject({ claimed: 3, sent: 3 });
    clock.advance(3_600_000);
    expect((await deliverDue({ db, sender, clock, logger: quiet, retry })).claimed).toBe(0);
    expect(smtp.received.map((m) => m.parsed.messageId).sort()).toEqual([
      "<m1@support.vendor.example>",
      "<m2@support.vendor.example>",
      "<m3@support.vendor.example>",
    ]);
    const rows = await db.select().from(outbox);
    expect(rows.every((r) => r.state === "sent" && r.attempts === 2)).toBe(true);
  });

  it("marks a permanently refused message failed with the server's answer", async () => {
    await enqueue(db, mail(9), clock.now());
    smtp.failWith = 550;
    expect(await deliverDue({ db, sender, clock, logger: quiet, retry })).toMatchObject({ failed: 1 });
    const [row] = await db.select().from(outbox);
    expect(row?.state).toBe("failed");
    expect(row?.lastError).toMatch(/550|mailbox unavailable/);
    expect(smtp.received).toHaveLength(0);
  });

  it("takes over a row whose sender died mid-send, with the same Message-ID", async () => {
    await enqueue(db, mail(5), clock.now());
    const [claimed] = await claimDue(db, clock.now(), 10, 60_000);
    expect(claimed?.state).toBe("sending");
    // The first worker never reports back. Before its lease ends nobody else may send the row…
    expect((await deliverDue({ db, sender, clock, logger: quiet, retry })).claimed).toBe(0);
    clock.advance(61_000);
    expect(await deliverDue({ db, sender, clock, logger: quiet, retry })).toMatchObject({ sent: 1 });
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual(["<m5@support.vendor.example>"]);
  });

  it("lets two workers drain one outbox without sending any row twice", async () => {
    for (let n = 1; n <= 40; n++) await enqueue(db, mail(n), clock.now());
    const second = await target.connect();
    try {
      const [a, b] = await Promise.all([
        deliverDue({ db, sender, clock, logger: quiet, retry, batchSize: 25 }),
        deliverDue({ db: second.db, sender, clock, logger: quiet, retry, batchSize: 25 }),
      ]);
      const more = await deliverDue({ db, sender, clock, logger: quiet, retry, batchSize: 25 });
      expect(a.sent + b.sent + more.sent).toBe(40);
    } finally {
      await second.close();
    }
    const ids = smtp.received.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(40);
    expect(ids).toHaveLength(40);
  });

  it("marks a sent message bounced when a bounce names it", async () => {
    await enqueue(db, mail(7), clock.now());
    await deliverDue({ db, sender, clock, logger: quiet, retry });
    expect(await markBounced(db, ["m7@support.vendor.example"], "550 no such user")).toBe(1);
    const [row] = await db.select().from(outbox).where(eq(outbox.messageId, "m7@support.vendor.example"));
    expect(row?.state).toBe("bounced");
  });

  it("does not send a row whose claim ran out while a slow server handled the ones before it", async () => {
    for (const n of [1, 2, 3]) await enqueue(db, mail(n), clock.now());
    const sent: string[] = [];
    const slow: MailSender = {
      async send(m) {
        sent.push(m.messageId);
        clock.advance(600); // each message takes 0.6 s; the batch's claim lasts 1 s
        return { status: "sent" };
      },
      async close() {},
    };
    const first = await deliverDue({ db, sender: slow, clock, logger: quiet, retry, leaseMs: 1000 });
    expect(first).toMatchObject({ claimed: 3, sent: 2 });
    expect(sent).toEqual(["m1@support.vendor.example", "m2@support.vendor.example"]);
    // The third row is free again for any worker, and goes out once.
    const second = await deliverDue({ db, sender: slow, clock, logger: quiet, retry, leaseMs: 1000 });
    expect(second).toMatchObject({ claimed: 1, sent: 1 });
    expect(sent).toHaveLength(3);
  });

  it("treats a send that throws as a temporary failure, up to the attempt limit", async () => {
    await enqueue(db, mail(4), clock.now());
    const broken: MailSender = {
      async send() {
        throw new Error("attachment vanished");
      },
      async close() {},
    };
    for (let i = 0; i < retry.maxAttempts; i++) {
      await deliverDue({ db, sender: broken, clock, logger: quiet, retry });
      clock.advance(retry.maxDelayMs);
    }
    const [row] = await db.select().from(outbox);
    expect(row).toMatchObject({ state: "failed", attempts: retry.maxAttempts, lastError: "attachment vanished" });
  });
});
