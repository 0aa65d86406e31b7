/**
 * The one source of "now". Everything that needs the time takes a Clock, so tests and the demo
 * can move time forward; pure code takes `now` as a plain epoch-millisecond argument instead.
 */
export interface Clock {
  /** Current instant in epoch milliseconds (UTC). */
  now(): number;
  /** Resolves after `ms` of this clock's time, or when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

/** A clock that only moves when told to; sleepers wake when `advance` passes their deadline. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Array<{ until: number; wake: () => void }> = [];

  constructor(start: number | string) {
    this.current = typeof start === "number" ? start : Date.parse(start);
    if (Number.isNaN(this.current)) throw new Error(`ManualClock: not an instant: ${String(start)}`);
  }

  now(): number {
    return this.current;
  }

  set(instant: number | string): void {
    const next = typeof instant === "number" ? instant : Date.parse(instant);
    if (next < this.current) throw new Error("ManualClock: time does not go backwards");
    this.current = next;
    this.wakeDue();
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const sleeper = { until: this.current + ms, wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        "abort",
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const s of due) s.wake();
  }
}
