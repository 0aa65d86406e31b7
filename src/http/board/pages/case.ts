/**
 * The case page (pure): what `case show` prints, readable. The thread is shown as text in <pre>: a
 * customer's HTML is never rendered, its links never become links (the text part, or the HTML part read
 * as text, is escaped like every other value).
 */
import { formatBytes, formatDue, METRIC_LABELS } from "../../../cases/present.js";
import { htmlToText } from "../../../mail/html-text.js";
import { clockView } from "../clock-view.js";
import { html } from "../html.js";
import type { CasePageData } from "../load-case.js";
import { layout, type Frame } from "./layout.js";
import { timelineSvg } from "./timeline-svg.js";

export interface CaseClock {
  zone: string;
  now: number;
}

function slaTable(d: CasePageData, t: CaseClock) {
  if ("error" in d.sla) return html`<p class="note">The SLA cannot be shown: ${d.sla.error}</p>`;
  const customerZone = d.requester?.timeZone ?? d.org?.timeZone ?? t.zone;
  return html`<table class="sla"><thead><tr><th>Metric</th><th>Target</th><th>State</th><th>Due (desk)</th><th>Due (customer)</th><th>Met</th><th>Business time left</th></tr></thead><tbody>
${d.sla.metrics.map((m) => {
  const v = clockView(m);
  return html`<tr data-metric="${m.metric}"><td>${METRIC_LABELS[m.metric]}${m.cycle > 0 ? ` (cycle ${m.cycle + 1})` : ""}</td><td>${m.targetText}</td>
<td><span class="badge ${v.state}">${m.state}</span></td><td>${formatDue(m.dueAt, t.zone)}</td><td>${formatDue(m.dueAt, customerZone)}</td>
<td>${m.metAt === null ? "-" : formatDue(m.metAt, t.zone)}</td><td>${v.state === "met" ? "-" : v.countdown}</td></tr>`;
})}</tbody></table>
${timelineSvg({ metrics: d.sla.metrics, waiting: d.waiting, pausedMetrics: d.policy?.pausedWhileWaiting ?? [], now: t.now, zone: t.zone })}`;
}

function thread(d: CasePageData, t: CaseClock) {
  const byMessage = new Map<number, CasePageData["attachments"]>();
  for (const a of d.attachments) byMessage.set(a.messageId, [...(byMessage.get(a.messageId) ?? []), a]);
  return d.messages.map((m) => {
    const body = m.text ?? (m.html ? htmlToText(m.html) : "");
    const files = byMessage.get(m.id) ?? [];
    return html`<article class="message ${m.direction}" id="message-${m.id}">
<div class="meta">${m.direction === "in" ? "received" : "sent"} ${formatDue(m.receivedAt.getTime(), t.zone)} · from ${m.from}${m.to.length ? html` · to ${m.to.join(", ")}` : ""}</div>
<strong>${m.subject}</strong>
<pre>${body}</pre>
${files.length ? html`<ul class="attachments">${files.map((a) => html`<li>${a.kept ? html`<a href="/board/case/${d.c.number}/attachment/${a.id}" download>${a.filename}</a>` : html`${a.filename} (deleted by retention)`} · ${a.contentType} · ${formatBytes(a.size)} · id ${a.id}</li>`)}</ul>` : ""}
</article>`;
  });
}

function sentMail(d: CasePageData, t: CaseClock) {
  if (d.sent.length === 0) return html`<p>None.</p>`;
  return html`<table><thead><tr><th>Queued</th><th>Kind</th><th>To</th><th>Subject</th><th>State</th><th>Sent</th></tr></thead><tbody>
${d.sent.map((o) => html`<tr><td>${formatDue(o.createdAt.getTime(), t.zone)}</td><td>${o.kind}</td><td>${[...o.to, ...o.cc].join(", ")}</td><td>${o.subject}</td><td>${o.state}</td><td>${o.sentAt ? formatDue(o.sentAt.getTime(), t.zone) : "-"}</td></tr>`)}
</tbody></table>`;
}

function events(d: CasePageData, t: CaseClock) {
  return html`<table class="events"><thead><tr><th>When</th><th>Event</th><th>By</th><th>Details</th></tr></thead><tbody>
${d.events.map((e) => html`<tr><td>${formatDue(e.at.getTime(), t.zone)}</td><td>${e.kind}</td><td>${e.actor}</td><td>${Object.keys(e.data).length ? JSON.stringify(e.data) : ""}</td></tr>`)}
</tbody></table>`;
}

export function casePage(d: CasePageData, t: CaseClock, frame: Omit<Frame, "title">): string {
  const c = d.c;
  const times = d.events.filter((e) => e.kind === "time-recorded");
  const body = html`<p class="subject"><strong>${c.subject}</strong></p>
<table class="facts"><tbody>
<tr><th>Organization</th><td>${d.org?.name ?? "?"}</td><th>Policy</th><td>${c.policyId}</td></tr>
<tr><th>Severity</th><td>${c.severity} (${c.severitySource}${c.severityReason ? `: ${c.severityReason}` : ""})</td><th>Type</th><td>${c.caseType}</td></tr>
<tr><th>Status</th><td>${c.status}</td><th>Assignee</th><td>${d.assignee?.email ?? "unassigned"}</td></tr>
<tr><th>Requester</th><td>${d.requester ? `${d.requester.name} <${d.requester.email}>` : "?"}</td><th>Opened</th><td>${formatDue(c.openedAt.getTime(), t.zone)}</td></tr>
${c.missingFields.length ? html`<tr><th>Missing fields</th><td colspan="3">${c.missingFields.join(", ")}</td></tr>` : ""}
</tbody></table>
<h2>SLA</h2>${slaTable(d, t)}
<h2>Thread</h2>${d.messages.length ? thread(d, t) : html`<p>No messages.</p>`}
<h2>Mail sent on this case</h2>${sentMail(d, t)}
${times.length ? html`<h2>Time recorded</h2><ul>${times.map((e) => html`<li>${formatDue(e.at.getTime(), t.zone)} · ${e.actor} · ${JSON.stringify(e.data)}</li>`)}</ul>` : ""}
<h2>History</h2>${events(d, t)}`;
  return layout({ ...frame, title: `Case #${c.number}` }, body);
}
