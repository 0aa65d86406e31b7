/**
 * The case page (pure): what `case show` prints (the shared view, src/cases/case-view.ts), readable, with
 * the whole thread. Every message is shown as text in <pre>: a customer's HTML is never rendered and its
 * links never become links; like every value, the text is escaped by html``.
 */
import { formatDue } from "../../../cases/present.js";
import { formatMinutes } from "../../../cases/time-entry.js";
import { clockView } from "../clock-view.js";
import { html } from "../html.js";
import type { CasePageData } from "../load-case.js";
import { layout, type Frame } from "./layout.js";
import { timelineSvg } from "./timeline-svg.js";

function slaTable(d: CasePageData, now: number) {
  const v = d.view;
  return html`<table class="sla"><thead><tr><th>Metric</th><th>Target</th><th>State</th><th>Due (${v.zones.desk})</th><th>Due (customer, ${v.zones.customer})</th><th>Met</th><th>Business time left</th></tr></thead><tbody>
${v.sla.map((m, i) => {
  const clock = clockView(d.metrics[i]!);
  return html`<tr data-metric="${m.metric}"><td>${m.label}${m.cycle > 0 ? ` (cycle ${m.cycle + 1})` : ""}</td><td>${m.target}</td>
<td><span class="badge ${clock.state}">${m.state}${m.metLate ? " (met late)" : ""}</span></td><td>${m.due.desk}</td><td>${m.due.customer}</td>
<td>${m.metAt === null ? "-" : formatDue(Date.parse(m.metAt), v.zones.desk)}</td><td>${clock.state === "met" || m.metAt !== null ? "-" : clock.countdown}</td></tr>`;
})}</tbody></table>
${timelineSvg({ metrics: d.metrics, waiting: d.waiting, pausedMetrics: d.pausedMetrics, now, zone: v.zones.desk })}`;
}

function thread(d: CasePageData) {
  const v = d.view;
  const received = new Map(d.data.received.map((m) => [m.id, m.text ?? ""]));
  const sent = new Map(d.data.sent.map((m) => [m.id, m.text]));
  return v.thread.map((m) => {
    const text = (m.direction === "received" ? received.get(m.id) : sent.get(m.id)) ?? "";
    return html`<article class="message ${m.direction === "received" ? "in" : "out"}" id="${m.direction}-${m.id}">
<div class="meta">${m.direction} ${formatDue(Date.parse(m.at), v.zones.desk)} · from ${m.author}${m.to.length ? ` · to ${m.to.join(", ")}` : ""}${m.cc.length ? ` · cc ${m.cc.join(", ")}` : ""}${m.kind ? ` · ${m.kind}, ${m.state}` : ""}</div>
<strong>${m.subject}</strong>
<pre>${text}</pre>
${m.attachments.length ? html`<ul class="attachments">${m.attachments.map((a) => attachmentItem(d, a.id, a.filename))}</ul>` : ""}
</article>`;
  });
}

function attachmentItem(d: CasePageData, id: number | null, filename: string) {
  const a = id === null ? undefined : d.view.attachments.find((x) => x.id === id);
  if (!a) return html`<li>${filename}</li>`;
  const name = a.stored ? html`<a href="/board/case/${d.view.number}/attachment/${a.id}" download>${a.filename}</a>` : html`${a.filename} (deleted by retention)`;
  return html`<li>${name} · ${a.contentType} · ${a.sizeText} · id ${a.id} · sha256 ${a.sha256.slice(0, 12)}…</li>`;
}

export function casePage(d: CasePageData, now: number, frame: Omit<Frame, "title">): string {
  const v = d.view;
  const z = v.zones.desk;
  const body = html`<p class="subject"><strong>${v.subject}</strong></p>
<table class="facts"><tbody>
<tr><th>Organization</th><td><a href="/board/?org=${encodeURIComponent(v.organization.name)}">${v.organization.name}</a></td><th>Policy</th><td>${v.policy.name} (${v.policy.id})</td></tr>
<tr><th>Severity</th><td>${v.severity.name} (${v.severity.source})${v.severity.reason ? html`<br><small>${v.severity.reason}</small>` : ""}</td><th>Type</th><td>${v.caseType}</td></tr>
<tr><th>Status</th><td>${v.status}</td><th>Assignee</th><td>${v.assignee ? `${v.assignee.name} <${v.assignee.email}>${v.assignee.active ? "" : " (inactive)"}` : "unassigned"}</td></tr>
<tr><th>Requester</th><td>${v.requester.name} &lt;${v.requester.email}&gt;</td><th>Opened</th><td>${formatDue(Date.parse(v.openedAt), z)}</td></tr>
<tr><th>Participants</th><td colspan="3">${v.participants.map((p) => `${p.email} (${p.role})`).join(", ")}</td></tr>
${v.missingFields.length ? html`<tr><th>Missing fields</th><td colspan="3">${v.missingFields.join(", ")}</td></tr>` : ""}
</tbody></table>
<h2>SLA</h2>${slaTable(d, now)}
<h2>Thread</h2>${v.thread.length ? thread(d) : html`<p>No messages.</p>`}
<h2>Attachments</h2>${v.attachments.length ? html`<ul class="attachments">${v.attachments.map((a) => attachmentItem(d, a.id, a.filename))}</ul>` : html`<p>None.</p>`}
${v.timeEntries.length ? html`<h2>Time recorded</h2><ul>${v.timeEntries.map((e) => html`<li>${formatDue(Date.parse(e.at), z)} · ${e.actor} · ${formatMinutes(e.minutes)}${e.counts ? "" : " (not counted)"}${e.note ? ` · ${e.note}` : ""}</li>`)}</ul>` : ""}
<h2>History</h2>
<table class="events"><thead><tr><th>When</th><th>Event</th><th>By</th><th>Details</th></tr></thead><tbody>
${v.events.map((e) => html`<tr><td>${formatDue(Date.parse(e.at), z)}</td><td>${e.kind}</td><td>${e.actor}</td><td>${Object.keys(e.data).length ? JSON.stringify(e.data) : ""}</td></tr>`)}
</tbody></table>`;
  return layout({ ...frame, title: `Case #${v.number}` }, body);
}
