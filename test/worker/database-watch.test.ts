import { describe, expect, it } from "vitest";
import { SystemClock } from "../../src/clock/clock.js";
import { DatabaseWatch } from "../../src/worker/database-watch.js";

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

function recordingLogger() {
  const lines: Array<{ level: string; msg: string }> = [];
  const at = (level: string) => (_fields: object, msg: string) => void lines.push({ level, msg });
  return { logger: { warn: at("warn"), info: at("info"), debug: at("debug") }, lines };
}

describe("DatabaseWatch", () => {
  it("logs one warning per outage and one line when a probe succeeds; waiters and listeners resume", async () => {
    const { logger, lines } = recordingLogger();
    let probes = 0;
    const watch = new DatabaseWatch({ clock: new SystemClock(), logger, backoff: { initialMs: 1, maxMs: 4 }, probe: async () => {
      if (++probes < 3) throw refused;
    } });
    let woken = 0;
    watch.onBack(() => woken++);

    expect(watch.failed(new Error("syntax error"))).toBe(false);
    expect(watch.failed(refused)).toBe(true);
    expect(watch.failed(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBe(true);
    expect(watch.up).toBe(false);
    const signal = new AbortController().signal;
    await Promise.all([watch.ready(signal), watch.ready(signal)]);

    expect(watch.up).toBe(true);
    expect(probes).toBe(3);
    expect(woken).toBe(1);
    expect(lines.filter((l) => l.level !== "debug")).toEqual([
      { level: "warn", msg: "database unavailable; pausing work and retrying until it is back" },
      { level: "info", msg: "database is back; resuming work" },
    ]);
  });

  it("skips a guarded job while down and returns from ready() when the worker stops", async () => {
    const { logger } = recordingLogger();
    const watch = new DatabaseWatch({ clock: new SystemClock(), logger, backoff: { initialMs: 50, maxMs: 50 }, probe: () => Promise.reject(refused) });
    let runs = 0;
    const job = watch.guard({ name: "scheduler", run: async () => {
      runs++;
      throw refused;
    } });
    const controller = new AbortController();
    await job.run(controller.signal);
    await job.run(controller.signal);
    expect(runs).toBe(1);
    const waiting = watch.ready(controller.signal);
    controller.abort();
    await waiting;
    expect(watch.up).toBe(false);
  });
});
