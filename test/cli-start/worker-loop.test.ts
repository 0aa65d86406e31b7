import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { createLogger } from "../../src/log/logger.js";
import { installShutdownHandlers } from "../../src/worker/lifecycle.js";
import { runWorker, type Job } from "../../src/worker/run.js";

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, next) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      next();
    },
  });
  return { logger: createLogger({ log: { level: "info" } }, { destination, pretty: false }), lines };
}

/** A job that records each call and lets the test wait for the n-th one. */
function countingJob(name: string, failOn: number[] = []) {
  let calls = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const job: Job = {
    name,
    async run() {
      calls += 1;
      for (const w of waiters.filter((w) => w.n <= calls)) w.resolve();
      if (failOn.includes(calls)) throw new Error(`${name} failed on call ${calls}`);
    },
  };
  return {
    job,
    calls: () => calls,
    reached: (n: number) => new Promise<void>((resolve) => (calls >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

/** A ManualClock that lets the test wait until the worker is asleep, so advancing time is never lost. */
class WatchedClock extends ManualClock {
  private onSleep: Array<() => void> = [];
  asleep(): Promise<void> {
    return new Promise((resolve) => this.onSleep.push(resolve));
  }
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const slept = super.sleep(ms, signal);
    for (const wake of this.onSleep.splice(0)) wake();
    return slept;
  }
}

describe("runWorker", () => {
  it("runs every job each tick on the injected clock until aborted; a failing job does not stop the loop", async () => {
    const clock = new WatchedClock("2025-03-03T09:00:00Z");
    const { logger, lines } = capturingLogger();
    const controller = new AbortController();
    const inbound = countingJob("inbound", [1]);
    const outbox = countingJob("outbox");

    const asleep = clock.asleep();
    const running = runWorker({ clock, logger, signal: controller.signal, jobs: [inbound.job, outbox.job], tickMs: 30_000 });
    await asleep;
    expect([inbound.calls(), outbox.calls()]).toEqual([1, 1]);
    const asleepAgain = clock.asleep();
    clock.advance(29_999);
    await new Promise((resolve) => setImmediate(resolve)); // let a (wrongly) woken loop run
    expect(outbox.calls()).toBe(1);
    clock.advance(1);
    await asleepAgain;
    expect([inbound.calls(), outbox.calls()]).toEqual([2, 2]);
    controller.abort();
    const result = await running;

    expect(result).toEqual({ ticks: 2, failures: 1 });
    expect(inbound.calls()).toBe(2);
    expect(lines.find((l) => l.msg === "job failed; continuing with the next one")).toMatchObject({ level: "error", job: "inbound" });
  });

  it("runs exactly one tick with once, without starting services", async () => {
    const { logger } = capturingLogger();
    const job = countingJob("scheduler");
    let serviceStarted = false;
    const result = await runWorker({
      clock: new ManualClock(0),
      logger,
      signal: new AbortController().signal,
      jobs: [job.job],
      services: [{ name: "idle", run: async () => void (serviceStarted = true) }],
      tickMs: 1000,
      once: true,
    });
    expect(result).toEqual({ ticks: 1, failures: 0 });
    expect(job.calls()).toBe(1);
    expect(serviceStarted).toBe(false);
  });

  it("waits for services to finish before returning", async () => {
    const { logger } = capturingLogger();
    const controller = new AbortController();
    let serviceClosed = false;
    const service = {
      name: "imap-idle",
      run: (signal: AbortSignal) =>
        new Promise<void>((resolve) => signal.addEventListener("abort", () => setImmediate(() => ((serviceClosed = true), resolve())))),
    };
    const job = countingJob("tick");
    const running = runWorker({ clock: new ManualClock(0), logger, signal: controller.signal, jobs: [job.job], services: [service], tickMs: 1000 });
    await job.reached(1);
    controller.abort();
    await running;
    expect(serviceClosed).toBe(true);
  });
});

describe("installShutdownHandlers", () => {
  it("aborts on the first signal, forces exit on the second, and removes its handlers", () => {
    const proc = new EventEmitter();
    const controller = new AbortController();
    const exits: number[] = [];
    const { logger } = capturingLogger();
    const remove = installShutdownHandlers({
      controller,
      logger,
      forceExit: (code) => exits.push(code),
      processLike: proc as unknown as NodeJS.Process,
    });

    proc.emit("SIGTERM", "SIGTERM");
    expect(controller.signal.aborted).toBe(true);
    expect(exits).toEqual([]);
    proc.emit("SIGINT", "SIGINT");
    expect(exits).toEqual([130]);

    remove();
    expect(proc.listenerCount("SIGINT") + proc.listenerCount("SIGTERM")).toBe(0);
  });

  it("takes the same signal delivered twice at once (a process group behind npm start) as one graceful stop", () => {
    const proc = new EventEmitter();
    const controller = new AbortController();
    const exits: number[] = [];
    const clock = new ManualClock("2026-12-05T09:00:00Z");
    const { logger, lines } = capturingLogger();
    installShutdownHandlers({ controller, logger, forceExit: (code) => exits.push(code), processLike: proc as unknown as NodeJS.Process, clock });

    proc.emit("SIGTERM", "SIGTERM");
    clock.advance(20);
    proc.emit("SIGTERM", "SIGTERM"); // the wrapper's forward of the same kill
    expect(controller.signal.aborted).toBe(true);
    expect(exits).toEqual([]);
    expect(lines.some((l) => String(l.msg).startsWith("same signal again at once"))).toBe(true);
    clock.advance(2_000);
    proc.emit("SIGTERM", "SIGTERM"); // a person insisting
    expect(exits).toEqual([130]);
  });
});
