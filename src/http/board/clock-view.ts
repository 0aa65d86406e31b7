/**
 * A case's clocks as the board colours them (pure): the next target not yet met, how long is left in
 * business time (wall-clock time on 24x7 coverage, as the engine counts), and its state.
 */
import { formatSpan, METRIC_LABELS } from "../../cases/present.js";
import type { MetricStatus } from "../../sla/types.js";

/** Less business time than this left on a running target: at risk (one working hour to act). */
export const AT_RISK_MS = 60 * 60_000;

export type ClockState = "breached" | "paused" | "at-risk" | "running" | "met";

export interface ClockView {
  metric: string;
  dueAt: number;
  state: ClockState;
  /** "1 h 20 min left", "breached 2 h ago", "paused, 3 h left" (business time). */
  countdown: string;
}

export function clockState(m: MetricStatus): ClockState {
  if (m.state === "met") return "met";
  if (m.state === "breached" || m.state === "breached-met") return m.state === "breached" ? "breached" : "met";
  if (m.state === "paused") return "paused";
  return m.remainingMs <= AT_RISK_MS ? "at-risk" : "running";
}

export function clockView(m: MetricStatus): ClockView {
  const state = clockState(m);
  const span = formatSpan(m.remainingMs);
  const countdown =
    state === "breached" ? `breached, ${span} over` : state === "paused" ? `paused, ${span} left` : state === "met" ? `met` : `${span} left`;
  return { metric: METRIC_LABELS[m.metric], dueAt: m.dueAt, state, countdown };
}

/** The clock the queue shows: the open target due first (a breached one before any running one). */
export function nextClock(metrics: MetricStatus[]): ClockView | null {
  const open = metrics.filter((m) => m.state === "running" || m.state === "paused" || m.state === "breached");
  if (open.length === 0) return null;
  return clockView(open.reduce((a, b) => (b.dueAt < a.dueAt ? b : a)));
}
