/**
 * A ManualClock that lets a test wait until the code under test is asleep on it, so time advanced
 * next is never lost and "nothing happened in between" can be asserted without real timers.
 */
import { ManualClock } from "../../src/clock/clock.js";

export class WatchedClock extends ManualClock {
  private onSleep: Array<() => void> = [];
  sleeps = 0;

  /** Resolves at the next call to sleep (register before the action that leads to it). */
  asleep(): Promise<void> {
    return new Promise((resolve) => this.onSleep.push(resolve));
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps++;
    const slept = super.sleep(ms, signal);
    for (const wake of this.onSleep.splice(0)) wake();
    return slept;
  }
}
