/**
 * The outbox as a long-running service (what `start` runs): full deliveries through a real SMTP
 * server whenever it is woken, and on a simulated clock at the poll interval otherwise. The clock is
 * only moved where a test says so, so mail that goes out without it moving went out because of a wake.
 */
import { vi, beforeEach, describe, expect, it } from "vitest";
import { deliverAllDue } from "../../src/outbox/deliver.js";
import { enqueue } from "../../src/outbox/queue.js";
import type { MailSender, OutgoingMail } from "../../src/outbox/sender.js";
import type { Db } from "../../src/store/database.js";
import { outbox } from "../../src/store/schema/index.js";
import { wakeableService, type WakeableService } from "../../src/worker/run.js";
import { testDatabases } from "../support/db.js";
import { queuedAck, useOutboxServers } from "../support/outbox.js";
import type { TestSmtpServer } from "../support/smtp.js";
import { WatchedClock } from "./watched-clock.js";

const quiet = { info() {}, warn() {}, error() {} };
const POLL = 30_000;
const retry = { baseMs: 30_000, maxDelayMs: 30 * 60_000, maxAttempts: 60 };
const arrived = { timeout: 20_000, interval: 20 };


describe.each(testDatabases())("outbox service on %s", (target) => {
  let db: Db;
  let smtp: TestSmtpServer;
  let smtpSender: MailSender;
  let clock: WatchedClock;
  let controller: AbortController;
  let running: Promise<void> | undefined;
  let sends: number;
  let rounds: number;
  /** What each send does first (a test may queue more mail from here). */
  let beforeSend: (mail: OutgoingMail) => Promise<void>;

  const sender: MailSender = {
    async send(mail) {
      sends++;
      await beforeSend(mail);
      return smtpSender.send(mail);
    },
    close: async () => {},
  };

  /** Starts the service and resolves once its first round is done and it waits. */
  async function start(): Promise<WakeableService> {
    const service = wakeableService({
      name: "outbox",
      clock,
      logger: quiet,
      pollMs: POLL,
      work: async (signal) => {
        rounds++;
        await deliverAllDue({ db, sender, clock, logger: quiet, retry, random: () => 0, signal });
      },
    });
    const asleep = clock.asleep();
    running = service.run(controller.signal);
    await asleep;
    return service;
  }

  const servers = useOutboxServers(target, { pool: true, timeoutSeconds: 5 });
  beforeEach(() => {
    ({ db, smtp, sender: smtpSender } = servers);
    clock = new WatchedClock("2026-11-20T16:00:00Z");
    controller = new AbortController();
    running = undefined;
    sends = 0;
    rounds = 0;
    beforeSend = async () => {};
    return async () => {
      controller.abort();
      await running;
    };
  });

  it("sends a row queued while it waits as soon as it is woken", async () => {
    const service = await start();
    expect(rounds).toBe(1);
    await enqueue(db, queuedAck(1), clock.now());
    service.wake();
    await vi.waitFor(() => expect(smtp.received.map((m) => m.parsed.messageId)).toEqual(["<ack1@support.vendor.example>"]), arrived);
  });

  it("does not lose a wake that comes while it is delivering", async () => {
    let service: WakeableService | undefined;
    beforeSend = async (mail) => {
      // Mail queued and announced mid-delivery, after this round's claim: only the wake can send it.
      if (mail.messageId !== "ack1@support.vendor.example") return;
      await enqueue(db, queuedAck(2), clock.now());
      service!.wake();
    };
    service = await start(); // nothing due yet
    await enqueue(db, queuedAck(1), clock.now());
    service.wake();
    await vi.waitFor(() => expect(smtp.received).toHaveLength(2), arrived);
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual(["<ack1@support.vendor.example>", "<ack2@support.vendor.example>"]);
  });

  it("backs off from a server answering 4xx without spinning, then sends once it recovers", async () => {
    smtp.failWith = 451;
    await enqueue(db, queuedAck(1), clock.now());
    await start();
    // Ten simulated minutes, one poll every 30 s. With no jitter the retries come 15 s, 30 s, 1, 2, 4 min
    // after each attempt: attempts at 0, 30 s, 1, 2, 4 and 8 min.
    for (let i = 0; i < 20; i++) {
      const asleep = clock.asleep();
      clock.advance(POLL);
      await asleep;
    }
    expect(sends).toBe(6);
    expect(rounds).toBe(21);
    const [row] = await db.select().from(outbox);
    expect(row).toMatchObject({ state: "queued", attempts: 6 });
    expect(smtp.received).toHaveLength(0);

    smtp.failWith = null;
    clock.advance(row!.nextAttemptAt.getTime() - clock.now());
    await vi.waitFor(() => expect(smtp.received).toHaveLength(1), arrived);
    expect(sends).toBe(7);
  });
});
