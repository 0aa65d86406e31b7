/**
 * wakeableService: work, then wait for a wake or the poll interval, on a simulated clock. Wakes are
 * never lost (one that comes during work runs the work again) and coalesce; errors never end the loop.
 */
import { describe, expect, it } from "vitest";
import { wakeableService } from "../../src/worker/run.js";
import { WatchedClock } from "./watched-clock.js";

const POLL = 30_000;
const flush = () => new Promise((resolve) => setImmediate(resolve));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function setup(work: (round: number) => Promise<void> = async () => {}) {
  const clock = new WatchedClock("2026-11-20T16:00:00Z");
  const errors: Array<{ obj: object; msg?: string }> = [];
  const controller = new AbortController();
  let rounds = 0;
  const service = wakeableService({
    name: "outbox",
    clock,
    pollMs: POLL,
    logger: { error: (obj, msg) => errors.push({ obj, msg }) },
    work: () => work(++rounds),
  });
  const asleep = clock.asleep();
  const running = service.run(controller.signal);
  return { clock, errors, controller, service, running, asleep, rounds: () => rounds };
}

describe("wakeableService", () => {
  it("works at start, then only when woken or when the poll interval has passed", async () => {
    const s = setup();
    await s.asleep;
    expect(s.rounds()).toBe(1);

    let asleep = s.clock.asleep();
    s.service.wake();
    await asleep;
    expect(s.rounds()).toBe(2);

    asleep = s.clock.asleep();
    s.clock.advance(POLL - 1);
    await flush();
    expect(s.rounds()).toBe(2);
    s.clock.advance(1);
    await asleep;
    expect(s.rounds()).toBe(3);

    s.controller.abort();
    await s.running;
    expect(s.rounds()).toBe(3);
  });

  it("runs again right after a round during which it was woken, once for any number of wakes", async () => {
    const started = deferred();
    const release = deferred();
    const s = setup(async (round) => {
      if (round !== 2) return;
      started.resolve();
      await release.promise;
    });
    await s.asleep;
    s.service.wake();
    await started.promise;
    for (let i = 0; i < 3; i++) s.service.wake();
    const asleep = s.clock.asleep();
    release.resolve();
    await asleep;
    // Round 3 ran without any time passing; the three wakes asked for one round, not three.
    expect(s.rounds()).toBe(3);
    expect(s.clock.sleeps).toBe(2);
    s.controller.abort();
    await s.running;
  });

  it("logs a failing round and tries again after the next wait", async () => {
    const s = setup(async (round) => {
      if (round === 1) throw new Error("database unavailable");
    });
    await s.asleep;
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]?.obj).toMatchObject({ service: "outbox", err: new Error("database unavailable"), transient: false });
    expect(s.errors[0]?.msg).toBe("outbox failed; retrying after the next wait");

    const asleep = s.clock.asleep();
    s.clock.advance(POLL);
    await asleep;
    expect(s.rounds()).toBe(2);
    expect(s.errors).toHaveLength(1);
    s.controller.abort();
    await s.running;
  });

  it("marks a failure from the retryable table (a database restarting) as transient", async () => {
    const s = setup(async () => {
      throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
    });
    await s.asleep;
    expect(s.errors[0]?.obj).toMatchObject({ service: "outbox", transient: true });
    s.controller.abort();
    await s.running;
  });

  it("ends promptly when aborted while waiting, with no time passing", async () => {
    const s = setup();
    await s.asleep;
    s.controller.abort();
    await s.running;
    s.service.wake();
    await flush();
    expect(s.rounds()).toBe(1);
  });
});
