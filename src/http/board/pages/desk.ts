/**
 * The desk-wide pages (pure): breaches (still open, and those due in the last 24 hours), the organizations
 * with their usage, and the digest's charts. Built from the digest's own data (src/digest/build.ts) and
 * `org usage`'s report (src/entitlements/usage.ts), so the board and the mail never disagree.
 */
import { formatDue, formatSpan, METRIC_LABELS } from "../../../cases/present.js";
import type { CountRow, DigestData } from "../../../digest/build.js";
import type { QueryHoursUsage } from "../../../entitlements/query-hours.js";
import type { UsageReport } from "../../../entitlements/usage.js";
import { html } from "../html.js";
import { layout, type Frame } from "./layout.js";

const caseLink = (n: number) => html`<a href="/board/case/${n}">#${n}</a>`;
const span = (ms: number) => formatSpan(ms).replace(" of business time", "");

export function breachesPage(d: DigestData, frame: Omit<Frame, "title">): string {
  const open = d.breaches.filter((b) => b.outcome === "still open");
  const today = d.breaches.filter((b) => b.outcome !== "still open");
  const rows = (list: typeof d.breaches) =>
    list.map(
      (b) => html`<tr class="breached"><td>${caseLink(b.caseNumber)}</td><td>${b.organization}</td><td>${b.severity}</td><td>${METRIC_LABELS[b.metric]}</td>
<td>${formatDue(b.dueAt, d.zone)}</td><td>${b.outcome}</td><td>${b.breachedMs === null ? "-" : formatSpan(b.breachedMs, { business: false })}</td><td>${span(b.lateMs)}</td><td>${b.subject}</td></tr>`,
    );
  const table = (list: typeof d.breaches, empty: string) =>
    list.length === 0
      ? html`<p>${empty}</p>`
      : html`<table><thead><tr><th>Case</th><th>Organization</th><th>Severity</th><th>Metric</th><th>Due</th><th>Status</th><th>Breached for</th><th>Late (business)</th><th>Subject</th></tr></thead><tbody>${rows(list)}</tbody></table>`;
  return layout(
    { ...frame, title: "Breaches" },
    html`<h2>Still open (${open.length})</h2>${table(open, "No breach is open.")}
<h2>Due in the last 24 hours, met late or resolved (${today.length})</h2>${table(today, "None.")}`,
  );
}

export interface OrganizationUsage {
  name: string;
  policy: string;
  engineer: string | null;
  openCases: number;
  usage: UsageReport;
  queryHours: QueryHoursUsage[];
}

const hours = (minutes: number) => `${Math.round((minutes / 60) * 10) / 10} h`;

export function organizationsPage(orgs: OrganizationUsage[], frame: Omit<Frame, "title">): string {
  const row = (o: OrganizationUsage) => {
    const t = o.usage.tickets;
    const term = o.usage.term ? `${o.usage.term.start} to ${o.usage.term.end ?? "open-ended"}` : "-";
    return html`<tr data-org="${o.name}"><td><a href="/board/?org=${encodeURIComponent(o.name)}">${o.name}</a></td><td>${o.policy}</td><td>${term}</td>
<td>${t ? `${t.used} of ${t.allowance} used, ${t.remaining} left (${t.carriedOver} carried over)` : o.usage.note ?? "-"}</td>
<td>${o.queryHours.length ? o.queryHours.map((q) => `${q.caseType}: ${hours(q.usedMinutes)} of ${q.hours} h used, ${hours(Math.max(0, q.leftMinutes))} left`).join("; ") : "-"}</td>
<td>${o.openCases}</td><td>${o.engineer ?? "-"}</td></tr>`;
  };
  return layout(
    { ...frame, title: "Organizations" },
    html`<table><thead><tr><th>Organization</th><th>Policy</th><th>Contract</th><th>Ticket quota (this contract year)</th><th>Query hours</th><th>Open cases</th><th>Engineer</th></tr></thead>
<tbody>${orgs.map(row)}</tbody></table>`,
  );
}

/** A horizontal bar chart in SVG (attributes only, no inline style). */
function barChart(rows: Array<{ label: string; value: number; text: string }>, max: number) {
  const width = 700;
  const label = 260;
  const height = 22 * rows.length + 8;
  return html`<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img">
${rows.map((r, i) => {
  const w = max > 0 ? ((width - label - 80) * r.value) / max : 0;
  return html`<text x="4" y="${i * 22 + 16}" font-size="12">${r.label}</text><rect x="${label}" y="${i * 22 + 5}" width="${w.toFixed(1)}" height="14" fill="#4a7bd0"></rect>
<text x="${(label + w + 6).toFixed(1)}" y="${i * 22 + 16}" font-size="12">${r.text}</text>`;
})}</svg>`;
}

const counts = (rows: CountRow[]) => barChart(rows.map((r) => ({ label: r.label, value: r.count, text: String(r.count) })), Math.max(0, ...rows.map((r) => r.count)));
const pct = (rate: number | null) => (rate === null ? "-" : `${Math.round(rate * 100)}%`);

export function chartsPage(d: DigestData, frame: Omit<Frame, "title">): string {
  const attainment = [...d.attainment.map((a) => ({ ...a, label: a.severity })), { ...d.attainmentTotal, label: "All severities" }];
  return layout(
    { ...frame, title: "Charts" },
    html`<p class="meta">As of ${formatDue(d.now, d.zone)}: the daily digest's figures.</p>
<h2>Open cases by severity (${d.openTotal})</h2>${counts(d.openBySeverity)}
<h2>Open cases by organization</h2>${counts(d.openByOrganization.slice(0, 30))}
<h2>Targets met on time, last 7 days</h2>${barChart(attainment.map((a) => ({ label: a.label, value: a.last7.rate ?? 0, text: `${pct(a.last7.rate)} of ${a.last7.total}` })), 1)}
<h2>Targets met on time, last 30 days</h2>${barChart(attainment.map((a) => ({ label: a.label, value: a.last30.rate ?? 0, text: `${pct(a.last30.rate)} of ${a.last30.total}` })), 1)}
<h2>At risk (${d.atRisk.length})</h2>
<table><thead><tr><th>Case</th><th>Organization</th><th>Severity</th><th>Metric</th><th>Due</th><th>Left (business)</th></tr></thead>
<tbody>${d.atRisk.slice(0, 100).map((r) => html`<tr class="at-risk"><td>${caseLink(r.caseNumber)}</td><td>${r.organization}</td><td>${r.severity}</td><td>${METRIC_LABELS[r.metric]}</td><td>${formatDue(r.dueAt, d.zone)}</td><td>${span(r.remainingMs)}</td></tr>`)}</tbody></table>`,
  );
}
