/**
 * Intake at the outbox's pace. Draining a backlog (a worker back after an outage, a burst of mail) opens
 * cases faster than their acknowledgments can be sent on the same CPU: without a brake the outbox queue
 * grows by thousands and every customer of the burst waits minutes for the mail that tells them their case
 * number. So before each batch the drain waits while more than `maxDue` mails are due in the outbox and the
 * outbox is getting them out; the burst is then opened a little more slowly and every acknowledgment leaves
 * within seconds of its case. Due times are unaffected: they run from when the mailbox received the mail.
 *
 * An outbox that sends nothing (SMTP server down, mail in retry backoff) must not stop intake: rows in
 * backoff are not due, and once nothing has been sent for `stallMs` the drain goes on, with one warning.
 */
import type { Clock } from "../clock/clock.js";
import type { WorkLogger } from "../log/work-logger.js";

export type PaceStep = "go" | "wait" | "stalled";

/** Pure: what the drain does given the outbox's due count and how long ago it last sent or the wait began. */
export function paceStep(due: number, maxDue: number, msSinceProgress: number, stallMs: number): PaceStep {
  if (due <= maxDue) return "go";
  return msSinceProgress >= stallMs ? "stalled" : "wait";
}

/** How long a wait re-reads the due count when no send is announced. */
const RECHECK_MS = 100;

export interface OutboxPaceOptions {
  /** Mails due (queued and due, or being sent) the drain lets pile up before it waits. */
  maxDue: number;
  /** Counts due mails, reading at most `limit` rows (the answer only needs to say "more than maxDue"). */
  countDue: (limit: number) => Promise<number>;
  clock: Clock;
  logger: WorkLogger;
  /** Without a send for this long, the wait ends: the outbox is stuck, intake is not held for it. */
  stallMs?: number;
}

export class OutboxPace {
  private lastSentAt = -Infinity;
  private stalled = false;
  private waiting: Array<() => void> = [];
  readonly stallMs: number;

  constructor(private readonly opts: OutboxPaceOptions) {
    this.stallMs = opts.stallMs ?? 5_000;
  }

  /** The outbox reports each pass: mails it sent move the pace on. */
  sent(count: number): void {
    if (count <= 0) return;
    this.lastSentAt = this.opts.clock.now();
    if (this.stalled) {
      this.stalled = false;
      this.opts.logger.info({}, "the outbox is sending again: intake keeps pace with it");
    }
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Resolves when the drain may apply its next batch. Returns how long it waited (ms of clock time). */
  async wait(signal?: AbortSignal): Promise<number> {
    const { clock, maxDue } = this.opts;
    const began = clock.now();
    for (;;) {
      if (signal?.aborted) return clock.now() - began;
      const due = await this.opts.countDue(maxDue + 1);
      // Once stalled, later batches do not wait out the stall time again: only a send ends the stall.
      const progress = this.stalled ? this.lastSentAt : Math.max(this.lastSentAt, began);
      const step = paceStep(due, maxDue, clock.now() - progress, this.stallMs);
      if (step === "go") return clock.now() - began;
      if (step === "stalled") {
        if (!this.stalled) {
          this.stalled = true;
          this.opts.logger.warn({ due: `more than ${maxDue}`, stallMs: this.stallMs }, "the outbox has sent nothing for a while; intake goes on without waiting for it");
        }
        return clock.now() - began;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener("abort", done);
          const at = this.waiting.indexOf(done);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve();
        };
        this.waiting.push(done);
        signal?.addEventListener("abort", done, { once: true });
        void clock.sleep(RECHECK_MS, signal).then(done, done);
      });
    }
  }
}
