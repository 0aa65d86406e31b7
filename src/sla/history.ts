/**
 * Reads a case timeline into the facts the SLA clocks need: when each clock starts, what stops it, and
 * which intervals it must not count. Everything is derived from the events (no stored counters), so
 * evaluating the same timeline twice always gives the same answer.
 */
import type { Instant } from "../calendar/types.js";
import { AppError } from "../errors.js";
import type { CaseTypeId, Environment } from "../policy/types.js";
import type { CaseStatus, TimelineEvent } from "./types.js";

/** A half-open interval [from, to); `to` null while it is still going on at `now`. */
export interface Interval {
  from: Instant;
  to: Instant | null;
}

/** One run of a repeating clock (ongoing response, status update): ended by a public reply or the case's resolution. */
export interface Cycle {
  start: Instant;
  end: Instant | null;
}

export interface CaseHistory {
  openedAt: Instant;
  /** The acknowledgment, where Konneqt's workaround and resolution times start; opened when there is none. */
  acknowledgedAt: Instant | null;
  /** In force at `now`: a change recomputes every clock from its original start. */
  caseType: CaseTypeId;
  severity: string;
  environment: Environment | null;
  status: CaseStatus;
  firstPublicReplyAt: Instant | null;
  workaroundAt: Instant | null;
  /** Time spent waiting on the customer. */
  waiting: Interval[];
  /** Time spent resolved or closed; the last one is open-ended when the case is resolved at `now`. */
  stopped: Interval[];
  ongoing: Cycle[];
  statusUpdates: Cycle[];
  /** Spells when the named point of contact was unreachable; the last is open-ended while it still is. */
  unreachable: Interval[];
}

const isStopped = (s: CaseStatus) => s === "resolved" || s === "closed";

/** Events at or before `now`, in time order (stable: same-instant events keep their recorded order). */
export function eventsUntil(timeline: TimelineEvent[], now: Instant): TimelineEvent[] {
  // Fast path: the usual timeline is already in order and entirely in the past.
  let ordered = true;
  for (let i = 0; i < timeline.length && ordered; i++) {
    const t = timeline[i]!.at;
    ordered = t <= now && (i === 0 || timeline[i - 1]!.at <= t);
  }
  if (ordered) return timeline;
  return timeline
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.at <= now)
    .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
    .map(({ e }) => e);
}

export function readHistory(timeline: TimelineEvent[], now: Instant): CaseHistory {
  const events = eventsUntil(timeline, now);
  const opened = events.find((e) => e.kind === "opened");
  if (!opened || opened.kind !== "opened") {
    throw new AppError("E_SLA_TIMELINE", "case timeline has no 'opened' event at or before now; record the opening first");
  }
  const h: CaseHistory = {
    openedAt: opened.at,
    acknowledgedAt: null,
    caseType: opened.caseType,
    severity: opened.severity,
    environment: opened.environment ?? null,
    status: "open",
    firstPublicReplyAt: null,
    workaroundAt: null,
    waiting: [],
    stopped: [],
    ongoing: [],
    statusUpdates: [],
    unreachable: [],
  };
  for (const e of events) apply(h, e);
  return h;
}

function apply(h: CaseHistory, e: TimelineEvent): void {
  switch (e.kind) {
    case "opened":
      return;
    case "acknowledged":
      h.acknowledgedAt ??= e.at;
      return;
    case "severity-changed":
      h.severity = e.severity;
      return;
    case "type-changed":
      h.caseType = e.caseType;
      return;
    case "workaround-provided":
      h.workaroundAt ??= e.at;
      return;
    case "staff-replied":
      if (e.public && !isStopped(h.status)) publicReply(h, e.at);
      return;
    case "customer-replied":
      if (!isStopped(h.status)) customerTurn(h, e.at);
      return;
    case "status-changed":
      return changeStatus(h, e.status, e.at);
    case "contact-reachability":
      return contactReachability(h, e.reachable, e.at);
  }
}

function publicReply(h: CaseHistory, at: Instant): void {
  h.firstPublicReplyAt ??= at;
  endOpenCycle(h.ongoing, at);
  endOpenCycle(h.statusUpdates, at);
  h.statusUpdates.push({ start: at, end: null });
}

/** Ongoing response restarts at a customer message after a staff reply; later messages join the same cycle. */
function customerTurn(h: CaseHistory, at: Instant): void {
  if (h.firstPublicReplyAt === null) return;
  const last = h.ongoing[h.ongoing.length - 1];
  if (last && last.end === null) return;
  h.ongoing.push({ start: at, end: null });
}

function changeStatus(h: CaseHistory, next: CaseStatus, at: Instant): void {
  const prev = h.status;
  if (prev === next || (isStopped(prev) && isStopped(next))) {
    h.status = next;
    return;
  }
  if (prev === "waiting") closeInterval(h.waiting, at);
  if (isStopped(prev)) {
    closeInterval(h.stopped, at);
    // A reopened case wants an answer: treat it like a customer message, and status updates resume.
    customerTurn(h, at);
    if (h.firstPublicReplyAt !== null) h.statusUpdates.push({ start: at, end: null });
  }
  if (next === "waiting") h.waiting.push({ from: at, to: null });
  if (isStopped(next)) {
    h.stopped.push({ from: at, to: null });
    // Resolution ends every pending reply and update: nothing more is owed on a resolved case.
    endOpenCycle(h.ongoing, at);
    endOpenCycle(h.statusUpdates, at);
  }
  h.status = next;
}

function contactReachability(h: CaseHistory, reachable: boolean, at: Instant): void {
  const last = h.unreachable[h.unreachable.length - 1];
  const unreachableNow = last !== undefined && last.to === null;
  if (reachable && unreachableNow) last.to = at;
  if (!reachable && !unreachableNow) h.unreachable.push({ from: at, to: null });
}

function endOpenCycle(cycles: Cycle[], at: Instant): void {
  const last = cycles[cycles.length - 1];
  if (last && last.end === null) last.end = at;
}

function closeInterval(intervals: Interval[], at: Instant): void {
  const last = intervals[intervals.length - 1];
  if (last && last.to === null) last.to = at;
}
