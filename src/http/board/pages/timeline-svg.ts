/**
 * The SLA timeline drawn (pure, server-side SVG: presentation attributes, no inline style, so the CSP holds):
 * one row per clock, its bar from its start to when it was met (or now), grey where it was paused (waiting
 * on the customer), red past its due time, and a tick at the due time.
 */
import { formatDue, METRIC_LABELS } from "../../../cases/present.js";
import type { Interval } from "../../../sla/history.js";
import type { MetricStatus } from "../../../sla/types.js";
import { html } from "../html.js";

const WIDTH = 900;
const LABEL = 150;
const ROW = 26;
const COLOURS = { ran: "#4caf6a", late: "#d64545", paused: "#b8bcc4", due: "#1d2330" };

export interface TimelineInput {
  metrics: MetricStatus[];
  /** Spells the case waited on the customer, for the clocks the policy pauses then. */
  waiting: Interval[];
  pausedMetrics: readonly string[];
  now: number;
  zone: string;
}

export function timelineSvg(t: TimelineInput) {
  if (t.metrics.length === 0) return html`<p>No SLA clock runs on this case.</p>`;
  const from = Math.min(...t.metrics.map((m) => m.start));
  const to = Math.max(t.now, ...t.metrics.map((m) => Math.max(m.dueAt, m.metAt ?? 0)));
  const span = Math.max(1, to - from);
  const x = (at: number) => LABEL + ((Math.min(Math.max(at, from), to) - from) / span) * (WIDTH - LABEL - 10);
  const rect = (a: number, b: number, y: number, fill: string, title: string) =>
    b > a ? html`<rect x="${x(a).toFixed(1)}" y="${y}" width="${Math.max(1, x(b) - x(a)).toFixed(1)}" height="12" fill="${fill}"><title>${title}</title></rect>` : "";
  const rows = t.metrics.map((m, i) => {
    const y = 20 + i * ROW;
    const end = m.metAt ?? t.now;
    const label = `${METRIC_LABELS[m.metric]}${m.cycle > 0 ? ` (${m.cycle + 1})` : ""}`;
    const pauses = t.pausedMetrics.includes(m.metric) ? t.waiting : [];
    const due = formatDue(m.dueAt, t.zone);
    return html`<g class="clock ${m.state}" data-metric="${m.metric}">
<text x="4" y="${y + 10}" font-size="12">${label}</text>
${rect(m.start, Math.min(end, m.dueAt), y, COLOURS.ran, `${label}: ran from ${formatDue(m.start, t.zone)}`)}
${rect(m.dueAt, end, y, COLOURS.late, `${label}: breached at ${due}`)}
${pauses.map((p) => rect(Math.max(p.from, m.start), Math.min(p.to ?? t.now, end), y, COLOURS.paused, `${label}: paused (waiting on the customer)`))}
<line x1="${x(m.dueAt).toFixed(1)}" x2="${x(m.dueAt).toFixed(1)}" y1="${y - 3}" y2="${y + 15}" stroke="${COLOURS.due}" stroke-width="2"><title>${label} due ${due}</title></line>
</g>`;
  });
  const height = 30 + t.metrics.length * ROW;
  return html`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="SLA timeline">
<text x="${LABEL}" y="12" font-size="11" fill="#666">${formatDue(from, t.zone)}</text>
<text x="${WIDTH - 10}" y="12" font-size="11" fill="#666" text-anchor="end">${formatDue(to, t.zone)}</text>
${rows}
<line x1="${x(t.now).toFixed(1)}" x2="${x(t.now).toFixed(1)}" y1="14" y2="${height - 4}" stroke="#4a7bd0" stroke-dasharray="3 3"><title>now</title></line>
</svg>
<p class="meta">Green: the clock ran before its due time; red: past it; grey: paused while waiting on the customer; black tick: due time; dashed: now.</p>`;
}
