/**
 * deliverAllDue: a whole backlog in one call, pass after pass, through a real SMTP server; it stops
 * when nothing more is due (rows in retry backoff are not), when aborted, or when its budget is spent.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { deliverAllDue } from "../../src/outbox/deliver.js";
import { enqueueMany } from "../../src/outbox/queue.js";
import type { MailSender } from "../../src/outbox/sender.js";
import type { Db } from "../../src/store/database.js";
import { outbox } from "../../src/store/schema/index.js";
import { countDueOutbox } from "../../src/store/repos/outbox.js";
import { OutboxPace } from "../../src/inbound/outbox-pace.js";
import { testDatabases } from "../support/db.js";
import { queuedAck, useOutboxServers } from "../support/outbox.js";
import type { TestSmtpServer } from "../support/smtp.js";

const quiet = { info() {}, warn() {}, error() {} };
const retry = { baseMs: 30_000, maxDelayMs: 30 * 60_000, maxAttempts: 60 };

const acks = (count: number) => Array.from({ length: count }, (_, i) => queuedAck(i, "backlog"));

/** Passes every send to `inner`, counting them and running `before` first. */
function counting(inner: MailSender, before: (n: number) => void = () => {}) {
  const wrapped = {
    calls: 0,
    async send(mail: Parameters<MailSender["send"]>[0]) {
      wrapped.calls++;
      before(wrapped.calls);
      return inner.send(mail);
    },
    close: async () => {},
  };
  return wrapped;
}

describe.each(testDatabases())("full outbox delivery on %s", (target) => {
  let db: Db;
  let smtp: TestSmtpServer;
  let sender: MailSender;
  let clock: ManualClock;

  // Pooled: a fresh connection per message costs about a tenth of a second against the test server.
  const servers = useOutboxServers(target, { pool: true, timeoutSeconds: 5 });
  beforeEach(() => {
    ({ db, smtp, sender } = servers);
    clock = new ManualClock("2026-11-20T16:00:00Z");
  });

  it("sends a backlog larger than one batch in a single call", async () => {
    await enqueueMany(db, acks(120), clock.now());
    const summary = await deliverAllDue({ db, sender, clock, logger: quiet, retry });
    // 50 + 50 + 20: the short third pass says nothing more is due.
    expect(summary).toEqual({ claimed: 120, sent: 120, retried: 0, failed: 0, passes: 3 });
    const ids = smtp.received.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(120);
    expect(ids).toHaveLength(120);
    expect((await db.select().from(outbox)).every((r) => r.state === "sent")).toBe(true);
  });

  it("counts the mail due for the intake's pace, and a waiting intake goes on once the passes have sent the backlog down", async () => {
    await enqueueMany(db, acks(120), clock.now());
    const due = (limit: number, at = clock.now()) => countDueOutbox(db, new Date(at), limit);
    expect(await due(1_000)).toBe(120);
    expect(await due(51)).toBe(51);
    expect(await due(1_000, clock.now() - 60_000)).toBe(0);
    const pace = new OutboxPace({ maxDue: 30, countDue: (limit) => due(limit), clock, logger: quiet });
    let released = false;
    const waiting = pace.wait().then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(released).toBe(false);
    const sentAfterPass: number[] = [];
    await deliverAllDue({ db, sender, clock, logger: quiet, retry, onPass: (pass) => (sentAfterPass.push(pass.sent), pace.sent(pass.sent)) });
    await waiting;
    expect(sentAfterPass).toEqual([50, 50, 20]);
    expect(await due(1_000)).toBe(0);
  });

  it("with several mails in flight, sends a backlog once each, every row recorded", async () => {
    await enqueueMany(db, acks(120), clock.now());
    const summary = await deliverAllDue({ db, sender, clock, logger: quiet, retry, concurrency: 4 });
    expect(summary).toMatchObject({ claimed: 120, sent: 120, retried: 0, failed: 0 });
    const ids = smtp.received.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(120);
    expect(ids).toHaveLength(120);
    expect((await db.select().from(outbox)).every((r) => r.state === "sent" && r.attempts === 1)).toBe(true);
  });

  it("tries each row once during an SMTP outage and leaves the rows to their backoff", async () => {
    await enqueueMany(db, acks(60), clock.now());
    smtp.failWith = 451;
    const counted = counting(sender);
    expect(await deliverAllDue({ db, sender: counted, clock, logger: quiet, retry })).toMatchObject({ claimed: 60, retried: 60, passes: 2 });
    expect(counted.calls).toBe(60);
    // At the same instant nothing is due: one empty pass, no send.
    expect(await deliverAllDue({ db, sender: counted, clock, logger: quiet, retry })).toMatchObject({ claimed: 0, passes: 1 });
    expect(counted.calls).toBe(60);

    smtp.failWith = null;
    clock.advance(retry.baseMs);
    expect(await deliverAllDue({ db, sender: counted, clock, logger: quiet, retry })).toMatchObject({ claimed: 60, sent: 60 });
    expect(smtp.received).toHaveLength(60);
  });

  it("once the server that was down accepts a mail, the mail deferred meanwhile goes out at once, not after its backoff", async () => {
    const health = { down: false };
    await enqueueMany(db, acks(3), clock.now());
    smtp.failWith = 451;
    expect(await deliverAllDue({ db, sender, clock, logger: quiet, retry, health })).toMatchObject({ retried: 3, sent: 0 });
    expect(health.down).toBe(true);

    // Back, a few seconds later (their backoff is 15 to 30 s): a new acknowledgment goes out, and so do the three.
    smtp.failWith = null;
    clock.advance(5_000);
    await enqueueMany(db, [queuedAck(99, "new")], clock.now());
    expect(await deliverAllDue({ db, sender, clock, logger: quiet, retry, health })).toMatchObject({ sent: 4, retried: 0 });
    expect(smtp.received).toHaveLength(4);
    expect(health.down).toBe(false);
  });

  it("keeps the backoff of a mail that fails on its own while others go through", async () => {
    const health = { down: false };
    await enqueueMany(db, acks(2), clock.now());
    const failingFirst = counting(sender, (n) => void (smtp.failWith = n === 1 ? 451 : null));
    expect(await deliverAllDue({ db, sender: failingFirst, clock, logger: quiet, retry, health })).toMatchObject({ sent: 1, retried: 1 });
    clock.advance(5_000);
    await enqueueMany(db, [queuedAck(98, "new")], clock.now());
    expect(await deliverAllDue({ db, sender, clock, logger: quiet, retry, health })).toMatchObject({ claimed: 1, sent: 1 });
    expect((await db.select().from(outbox)).filter((r) => r.state === "queued")).toHaveLength(1);
  });

  it("stops after the pass in progress when the signal aborts", async () => {
    await enqueueMany(db, acks(120), clock.now());
    const controller = new AbortController();
    const counted = counting(sender, (n) => n === 1 && controller.abort());
    const summary = await deliverAllDue({ db, sender: counted, clock, logger: quiet, retry, signal: controller.signal });
    expect(summary).toMatchObject({ claimed: 50, sent: 50, passes: 1 });
    expect((await db.select().from(outbox)).filter((r) => r.state === "queued")).toHaveLength(70);
  });

  it("starts no further pass once its time budget is spent", async () => {
    await enqueueMany(db, acks(120), clock.now());
    // Each send takes a second of clock time: the first pass takes 50 s, the second ends past the minute.
    const slow = counting(sender, () => clock.advance(1000));
    const summary = await deliverAllDue({ db, sender: slow, clock, logger: quiet, retry, budgetMs: 60_000 });
    expect(summary).toMatchObject({ claimed: 100, sent: 100, passes: 2 });
    expect(await deliverAllDue({ db, sender, clock, logger: quiet, retry })).toMatchObject({ claimed: 20, sent: 20, passes: 1 });
  });
});
