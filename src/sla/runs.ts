/**
 * Which clock runs for each metric of a case, from when, what stops it and which intervals it skips.
 * Rules (issue 3), and the choices made where the seeds are silent:
 * - initial response: from the opening to the first public staff reply (the automatic acknowledgment is
 *   not a response); never paused. Resolving the case without a reply stops it (counted as met then).
 * - ongoing response: each customer message after a staff reply (or a reopen) starts cycle n, ended by the
 *   next public staff reply or the resolution. Only the latest cycle is reported.
 * - status update: every N while open and not waiting on the customer; cycles start at each public staff
 *   reply (nothing to update before the first response) and at a reopen. Waiting time never counts.
 * - workaround, resolution: from the acknowledgment (Konneqt's definitions), else the opening. Workaround
 *   is met by a workaround or by the resolution; resolution by status resolved/closed. A reopen voids a
 *   met-by-resolution and continues the SAME clock: the time spent resolved is not counted, so a failed fix
 *   does not get a fresh full target, and the customer does not lose the time already used.
 * - waiting on the customer pauses the metrics listed in policy.pausedWhileWaiting (never the initial response).
 */
import type { Instant } from "../calendar/types.js";
import type { MetricId, Policy } from "../policy/types.js";
import type { CaseHistory, Cycle, Interval } from "./history.js";

export interface MetricRun {
  metric: MetricId;
  cycle: number;
  start: Instant;
  metAt: Instant | null;
  /** Raw intervals this clock does not count (clipped later to start..end). */
  pauses: Interval[];
}

export function metricRuns(h: CaseHistory, policy: Policy, metrics: readonly MetricId[]): MetricRun[] {
  const runs: MetricRun[] = [];
  for (const metric of metrics) {
    const run = runFor(metric, h, policy);
    if (run) runs.push(run);
  }
  return runs;
}

function runFor(metric: MetricId, h: CaseHistory, policy: Policy): MetricRun | null {
  const waiting = policy.pausedWhileWaiting.includes(metric) && metric !== "initial-response" ? h.waiting : [];
  const resolvedAt = currentResolution(h);
  switch (metric) {
    case "initial-response":
      return { metric, cycle: 0, start: h.openedAt, metAt: firstOf(h.firstPublicReplyAt, h.stopped[0]?.from ?? null), pauses: [] };
    case "ongoing-response":
      return latestCycle(metric, h.ongoing, waiting);
    case "status-update":
      // "While the case is open and not waiting on the customer": waiting never counts, whatever the list says.
      return latestCycle(metric, h.statusUpdates, h.waiting);
    case "workaround": {
      const start = h.acknowledgedAt ?? h.openedAt;
      const metAt = firstOf(h.workaroundAt, resolvedAt);
      return { metric, cycle: 0, start, metAt, pauses: notCounted(waiting, h) };
    }
    case "resolution": {
      const start = h.acknowledgedAt ?? h.openedAt;
      return { metric, cycle: 0, start, metAt: resolvedAt, pauses: notCounted(waiting, h) };
    }
  }
}

function latestCycle(metric: MetricId, cycles: Cycle[], pauses: Interval[]): MetricRun | null {
  const last = cycles[cycles.length - 1];
  if (!last) return null;
  return { metric, cycle: cycles.length - 1, start: last.start, metAt: last.end, pauses };
}

/** When the case is resolved or closed at `now`, the instant it got there. */
function currentResolution(h: CaseHistory): Instant | null {
  const last = h.stopped[h.stopped.length - 1];
  return last && last.to === null ? last.from : null;
}

/** Waiting time plus resolved spells that ended in a reopen: not counted by the workaround and resolution clocks. */
function notCounted(waiting: Interval[], h: CaseHistory): Interval[] {
  if (h.stopped.length === 0) return waiting;
  const reopened = h.stopped.filter((s) => s.to !== null);
  return reopened.length === 0 ? waiting : [...waiting, ...reopened];
}

function firstOf(a: Instant | null, b: Instant | null): Instant | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
