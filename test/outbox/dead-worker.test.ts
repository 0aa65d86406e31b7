/**
 * A worker killed while holding outbox claims: its presence lock (store/worker-locks.ts) goes with its
 * database session, and another worker delivers the rows at its next pass, not when the 5-minute lease
 * runs out. The clock never moves past the lease, so whatever is delivered went out because the holder died.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { deliverDue } from "../../src/outbox/deliver.js";
import { claimDue, enqueueMany } from "../../src/outbox/queue.js";
import { openWorkerLocks } from "../../src/store/worker-locks.js";
import { outbox } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { queuedAck, useOutboxServers } from "../support/outbox.js";

const quiet = { info() {}, warn() {}, error() {} };
const retry = { baseMs: 1000, maxDelayMs: 60_000, maxAttempts: 5 };
const LEASE = 5 * 60_000;

describe.each(testDatabases())("outbox claims of a dead worker on %s", (target) => {
  const servers = useOutboxServers(target, { pool: false, timeoutSeconds: 2 });

  it("are delivered by another worker within seconds, long before their lease ends, and only once", async () => {
    const { db, smtp, sender } = servers;
    const clock = new ManualClock("2026-11-20T16:00:00Z");
    await enqueueMany(db, [1, 2, 3, 4, 5].map((n) => queuedAck(n)), clock.now());
    // The doomed worker, on a connection of its own, claims everything and never sends.
    const doomedDb = await target.connect();
    const doomed = await openWorkerLocks(doomedDb, target.options.url);
    const survivor = await openWorkerLocks(target.database, target.options.url);
    try {
      expect(await claimDue(doomedDb.db, clock.now(), 10, LEASE, await doomed.present())).toHaveLength(5);
      // While it lives, its claims are its own: a slow server is no reason to send a second copy.
      expect((await deliverDue({ db, sender, clock, logger: quiet, retry, owner: survivor, leaseMs: LEASE })).claimed).toBe(0);

      await doomed.close(); // kill -9: the session ends and its locks with it
      clock.advance(1000);
      expect(await deliverDue({ db, sender, clock, logger: quiet, retry, owner: survivor, leaseMs: LEASE })).toMatchObject({ claimed: 5, sent: 5 });
    } finally {
      await survivor.close();
      await doomedDb.close();
    }
    const ids = smtp.received.map((m) => m.parsed.messageId).sort();
    expect(ids).toEqual([1, 2, 3, 4, 5].map((n) => `<ack${n}@support.vendor.example>`));
    const rows = await db.select().from(outbox);
    expect(rows.every((r) => r.state === "sent" && r.attempts === 2)).toBe(true);
  });

  it("are still left alone when they were claimed without a worker id, until the lease ends", async () => {
    const { db, sender } = servers;
    const clock = new ManualClock("2026-11-20T16:00:00Z");
    await enqueueMany(db, [queuedAck(9)], clock.now());
    const survivor = await openWorkerLocks(target.database, target.options.url);
    try {
      await claimDue(db, clock.now(), 10, LEASE);
      expect((await deliverDue({ db, sender, clock, logger: quiet, retry, owner: survivor })).claimed).toBe(0);
      clock.advance(LEASE);
      expect(await deliverDue({ db, sender, clock, logger: quiet, retry, owner: survivor })).toMatchObject({ sent: 1 });
    } finally {
      await survivor.close();
    }
  });

  it("a living worker takes back its own claims left by a pass that ended early (a lost database), not after the lease", async () => {
    const { db, smtp, sender } = servers;
    const clock = new ManualClock("2026-11-20T16:00:00Z");
    await enqueueMany(db, [queuedAck(7)], clock.now());
    const worker = await openWorkerLocks(target.database, target.options.url);
    try {
      // The pass that claimed it was cut short before it could send or record anything.
      expect(await claimDue(db, clock.now(), 10, LEASE, await worker.present())).toHaveLength(1);
      clock.advance(1000);
      expect(await deliverDue({ db, sender, clock, logger: quiet, retry, owner: worker, leaseMs: LEASE })).toMatchObject({ claimed: 1, sent: 1 });
    } finally {
      await worker.close();
    }
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual(["<ack7@support.vendor.example>"]);
  });
});
