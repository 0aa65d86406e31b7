/**
 * What `case show` and the board's case page show of one case, from the plain data the store loads
 * (src/store/repos/case-view.ts). Pure: policies, the desk's zone and `now` come in as parameters. The SLA
 * part is the engine's own evaluation of the trail (evaluateTrail), as the scheduler and the digest see it;
 * every instant is given as ISO 8601 and, for due times, as text in the desk's zone and the customer's.
 */
import type { Policy } from "../policy/types.js";
import type { MetricStatus } from "../sla/types.js";
import type { CaseViewData } from "./case-view-data.js";
import { evaluateTrail, policyOf } from "./case-sla.js";
import { formatBytes, formatDue, METRIC_LABELS, readerZone } from "./present.js";
import { TIMELINE_EVENT_KINDS } from "./timeline.js";

/** A metric as a person reads it: a breach stays a breach even once met late (`metLate`). */
export type MetricView = "running" | "paused" | "met" | "breached";

export interface CaseViewMetric {
  metric: string;
  label: string;
  cycle: number;
  target: string;
  state: MetricView;
  metLate: boolean;
  dueAt: string;
  /** The due time as text: in the desk's zone and the customer's. */
  due: { desk: string; customer: string };
  metAt: string | null;
}

export interface CaseViewAttachmentRow {
  id: number;
  messageId: number;
  filename: string;
  contentType: string;
  size: number;
  sizeText: string;
  sha256: string;
  stored: boolean;
}

export interface CaseViewThreadEntry {
  direction: "received" | "sent";
  id: number;
  at: string;
  author: string;
  to: string[];
  cc: string[];
  subject: string;
  firstLines: string[];
  /** Sent mail: what it is (acknowledgment, relay, reminder…) and where it stands in the outbox. */
  kind: string | null;
  state: string | null;
  attachments: Array<{ id: number | null; filename: string; size: number | null }>;
}

export interface CaseViewParticipant {
  email: string;
  /** How they take part: the requester, wrote on the case, copied on it, or acted on it (staff, commands). */
  role: "requester" | "wrote" | "cc" | "acted";
}

export interface CaseView {
  number: number;
  subject: string;
  status: string;
  caseType: string;
  organization: { id: number; name: string };
  policy: { id: string; name: string };
  severity: { id: string; name: string; source: string; reason: string | null };
  requester: { name: string; email: string };
  assignee: { name: string; email: string; active: boolean } | null;
  participants: CaseViewParticipant[];
  missingFields: string[];
  openedAt: string;
  zones: { desk: string; customer: string };
  /** Whether a metric is breached now (met late or still open). */
  breached: boolean;
  sla: CaseViewMetric[];
  thread: CaseViewThreadEntry[];
  attachments: CaseViewAttachmentRow[];
  timeEntries: Array<{ at: string; actor: string; minutes: number; counts: boolean; note: string | null }>;
  events: Array<{ at: string; actor: string; kind: string; data: Record<string, unknown> }>;
}

export interface CaseViewContext {
  policies: ReadonlyMap<string, Policy>;
  /** The desk's zone (config timeZone): staff read times in it. */
  deskZone: string;
  /** The desk's own addresses: not participants. */
  ownAddresses: string[];
  now: number;
}

const iso = (ms: number | Date): string => new Date(ms).toISOString();

export function presentCase(data: CaseViewData, ctx: CaseViewContext): CaseView {
  const c = data.case;
  const policy = policyOf(ctx.policies, c);
  const customerZone = readerZone(data.requester.timeZone, data.organization.timeZone, policy.calendar.zone);
  const metrics = evaluateMetrics(data, policy, ctx.now);
  const sla = metrics.map((m) => metricView(m, ctx.deskZone, customerZone));
  return {
    number: c.number,
    subject: c.subject,
    status: c.status,
    caseType: c.caseType,
    organization: { id: data.organization.id, name: data.organization.name },
    policy: { id: policy.id, name: policy.name },
    severity: {
      id: c.severity,
      name: policy.severities.find((s) => s.id === c.severity)?.name ?? c.severity,
      source: c.severitySource,
      reason: c.severityReason,
    },
    requester: { name: data.requester.name, email: data.requester.email },
    assignee: data.assignee && { name: data.assignee.name, email: data.assignee.email, active: data.assignee.active },
    participants: participants(data, ctx.ownAddresses),
    missingFields: c.missingFields,
    openedAt: iso(c.openedAt),
    zones: { desk: ctx.deskZone, customer: customerZone },
    breached: sla.some((m) => m.state === "breached"),
    sla,
    thread: thread(data),
    attachments: data.received.flatMap((m) => m.attachments.map((a) => ({ ...a, messageId: m.id, sizeText: formatBytes(a.size) }))),
    timeEntries: data.events
      .filter((e) => e.kind === "time-recorded")
      .map((e) => ({
        at: iso(e.at),
        actor: e.actor,
        minutes: typeof e.data.minutes === "number" ? e.data.minutes : 0,
        counts: e.data.counts !== false,
        note: typeof e.data.note === "string" ? e.data.note : null,
      })),
    events: data.events.map((e) => ({ at: iso(e.at), actor: e.actor, kind: e.kind, data: e.data })),
  };
}

/** The engine's evaluation of the clock-moving part of the trail, with the facts the scheduler uses. */
export function evaluateMetrics(data: CaseViewData, policy: Policy, now: number): MetricStatus[] {
  const kinds = new Set<string>(TIMELINE_EVENT_KINDS);
  const trail = data.events.filter((e) => kinds.has(e.kind)).map((e) => ({ kind: e.kind, at: e.at.getTime(), data: e.data }));
  const org = data.organization;
  const facts = {
    entitlements: org.entitlements,
    customerZone: data.requester.timeZone ?? org.timeZone,
    closedDates: org.closedDates,
    contract: org.contract,
    agreement: org.agreement,
  };
  return evaluateTrail(policy, trail, facts, null, now).metrics;
}

export function metricView(m: MetricStatus, deskZone: string, customerZone: string): CaseViewMetric {
  const state: MetricView = m.state === "breached-met" ? "breached" : m.state;
  return {
    metric: m.metric,
    label: METRIC_LABELS[m.metric],
    cycle: m.cycle,
    target: m.targetText,
    state,
    metLate: m.state === "breached-met",
    dueAt: iso(m.dueAt),
    due: { desk: formatDue(m.dueAt, deskZone), customer: formatDue(m.dueAt, customerZone) },
    metAt: m.metAt === null ? null : iso(m.metAt),
  };
}

/** Received and sent mail in one list, in the order it happened. */
function thread(data: CaseViewData): CaseViewThreadEntry[] {
  const received: CaseViewThreadEntry[] = data.received.map((m) => ({
    direction: "received",
    id: m.id,
    at: iso(m.receivedAt),
    author: m.from,
    to: m.to,
    cc: m.cc,
    subject: m.subject,
    firstLines: firstLines(m.text ?? ""),
    kind: null,
    state: null,
    attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, size: a.size })),
  }));
  const sent: CaseViewThreadEntry[] = data.sent.map((m) => ({
    direction: "sent",
    id: m.id,
    at: iso(m.sentAt ?? m.queuedAt),
    author: m.from,
    to: m.to,
    cc: m.cc,
    subject: m.subject,
    firstLines: firstLines(m.text),
    kind: m.kind,
    state: m.state,
    attachments: m.attachments.map((a) => ({ id: a.attachmentId ?? null, filename: a.filename, size: a.size ?? null })),
  }));
  return [...received, ...sent].sort((a, b) => a.at.localeCompare(b.at) || (a.direction === b.direction ? a.id - b.id : a.direction === "received" ? -1 : 1));
}

/** The first few lines that say something: blank lines and quoted history ("> …") left out, long lines cut. */
export function firstLines(text: string, count = 3, width = 100): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith(">"))
    .slice(0, count)
    .map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}

function participants(data: CaseViewData, ownAddresses: string[]): CaseViewParticipant[] {
  const own = new Set(ownAddresses.map((a) => a.toLowerCase()));
  const seen = new Map<string, CaseViewParticipant>();
  const add = (email: string, role: CaseViewParticipant["role"]) => {
    const key = email.toLowerCase();
    if (!key.includes("@") || own.has(key) || seen.has(key)) return;
    seen.set(key, { email: key, role });
  };
  add(data.requester.email, "requester");
  for (const m of data.received) add(m.from, "wrote");
  for (const m of data.received) for (const a of m.cc) add(a, "cc");
  for (const e of data.events) add(e.actor, "acted");
  return [...seen.values()];
}
