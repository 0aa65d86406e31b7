import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock/clock.js";
import { OutboxPace, paceStep } from "./outbox-pace.js";

const recording = () => {
  const lines: Array<{ level: string; msg: string | undefined }> = [];
  const at = (level: string) => (_obj: object, msg?: string) => void lines.push({ level, msg });
  return { lines, logger: { info: at("info"), warn: at("warn"), error: at("error") } };
};

/** Lets pending promise callbacks (the pace's count, its sleep) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("paceStep", () => {
  it.each([
    [0, 200, 0, "go"],
    [200, 200, 10_000, "go"],
    [201, 200, 0, "wait"],
    [201, 200, 4_999, "wait"],
    [201, 200, 5_000, "stalled"],
  ] as const)("%i due of at most %i, %i ms since the outbox last sent → %s", (due, max, since, step) => {
    expect(paceStep(due, max, since, 5_000)).toBe(step);
  });
});

describe("OutboxPace", () => {
  it("holds the next batch while the outbox is over its limit and sending, and lets it go once it is back under", async () => {
    const clock = new ManualClock("2026-12-07T17:00:00Z");
    let due = 500;
    const { lines, logger } = recording();
    const pace = new OutboxPace({ maxDue: 200, countDue: async () => due, clock, logger });
    let waited: number | null = null;
    void pace.wait().then((ms) => (waited = ms));
    await settle();
    expect(waited).toBeNull();
    clock.advance(1_000);
    pace.sent(50); // still 500 due: waits on
    await settle();
    expect(waited).toBeNull();
    due = 150;
    pace.sent(350);
    await settle();
    expect(waited).toBe(1_000);
    expect(lines).toEqual([]);
  });

  it("goes on with one warning when the outbox has sent nothing for the stall time, and says when it sends again", async () => {
    const clock = new ManualClock("2026-12-07T17:00:00Z");
    const { lines, logger } = recording();
    const pace = new OutboxPace({ maxDue: 10, countDue: async () => 40, clock, logger, stallMs: 5_000 });
    let waited: number | null = null;
    void pace.wait().then((ms) => (waited = ms));
    for (let t = 0; t < 49 && waited === null; t++) {
      clock.advance(100);
      await settle();
    }
    expect(waited).toBeNull();
    clock.advance(100);
    await settle();
    expect(waited).toBe(5_000);
    // Still stuck: the next batch does not wait again, and the warning is not repeated.
    expect(await pace.wait()).toBe(0);
    expect(lines.map((l) => l.level)).toEqual(["warn"]);
    pace.sent(3);
    expect(lines.at(-1)).toEqual({ level: "info", msg: "the outbox is sending again: intake keeps pace with it" });
  });
});
