/**
 * What /readyz says of each mailbox: whether this worker read it successfully within its interval. The
 * mailbox loop (jobs.ts) reports when it starts, each committed batch and each drain that ended well;
 * a drain that cannot reach its server (an IMAP connection retrying with backoff) reports nothing, so
 * the mailbox turns late once its interval has passed.
 */
import type { Clock } from "../clock/clock.js";

export interface MailboxReport {
  name: string;
  /** ok: read within its limit; late: not; standby: another worker owns it (mailbox-owner.ts), or not started. */
  state: "ok" | "late" | "standby";
  /** Seconds since the last successful read, or since the loop started when it has none yet. */
  sinceSeconds: number | null;
  limitSeconds: number;
}

interface Entry {
  limitMs: number;
  running: boolean;
  /** Last successful read, or the start of the loop (the first read gets one interval too). */
  lastOkAt: number | null;
}

export class MailboxWatch {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /**
   * A mailbox waits up to `pollMs` between drains and then drains: it may go twice its interval without
   * a read that ended well while a drain is slow, so that is the limit (a backlog reports each batch).
   */
  add(name: string, pollMs: number): void {
    this.entries.set(name, { limitMs: 2 * pollMs, running: false, lastOkAt: null });
  }

  started(name: string): void {
    const e = this.entries.get(name);
    if (e) Object.assign(e, { running: true, lastOkAt: this.clock.now() });
  }

  stopped(name: string): void {
    const e = this.entries.get(name);
    if (e) e.running = false;
  }

  /** A drain that ended without error, or a batch committed during a long one. */
  read(name: string): void {
    const e = this.entries.get(name);
    if (e?.running) e.lastOkAt = this.clock.now();
  }

  report(): MailboxReport[] {
    const now = this.clock.now();
    return [...this.entries].map(([name, e]) => {
      const since = e.lastOkAt === null ? null : Math.max(0, (now - e.lastOkAt) / 1000);
      const state = !e.running ? "standby" : since !== null && since * 1000 <= e.limitMs ? "ok" : "late";
      return { name, state, sinceSeconds: since, limitSeconds: e.limitMs / 1000 };
    });
  }
}
