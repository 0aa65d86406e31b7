/** The queue page (pure): open cases soonest due first, each with its next clock, the filters, the pager. */
import { formatDue } from "../../../cases/present.js";
import type { CaseSearchFilter } from "../../../cases/case-search-filter.js";
import type { ClockView } from "../clock-view.js";
import { html, query } from "../html.js";
import { layout, type Frame } from "./layout.js";

export interface QueueItem {
  number: number;
  subject: string;
  status: string;
  severity: string;
  policyId: string;
  organization: string;
  assignee: string | null;
  clock: ClockView | null;
  /** Why its clock cannot be shown, if it cannot. */
  error?: string;
}

export interface QueueView {
  items: QueueItem[];
  filter: CaseSearchFilter;
  /** Another page follows. */
  more: boolean;
  zone: string;
  /** Assignees include deactivated staff (labelled so): their open cases still need finding. */
  options: { organizations: string[]; policies: string[]; severities: string[]; assignees: Choice[] };
}

export function filterParams(f: CaseSearchFilter): Record<string, string | undefined> {
  return {
    org: f.organization,
    status: f.statuses?.join(","),
    severity: f.severity,
    policy: f.policy,
    assignee: f.assignee,
    breached: f.breached ? "1" : undefined,
    "due-before": f.dueBefore === undefined ? undefined : new Date(f.dueBefore).toISOString(),
    text: f.text,
  };
}

export type Choice = string | { value: string; label: string };

function select(name: string, label: string, choices: Choice[], chosen: string | undefined) {
  return html`<label>${label}<select name="${name}"><option value="">any</option>${choices.map((c) => {
    const { value, label: text } = typeof c === "string" ? { value: c, label: c } : c;
    return html`<option value="${value}"${chosen === value ? html` selected` : ""}>${text}</option>`;
  })}</select></label>`;
}

function filters(v: QueueView) {
  const f = v.filter;
  return html`<form class="filters" method="get" action="/board/">
${select("org", "Organization", v.options.organizations, f.organization)}
${select("status", "Status", ["open,waiting", "open", "waiting", "resolved", "closed"], f.statuses?.join(","))}
${select("severity", "Severity", v.options.severities, f.severity)}
${select("policy", "Policy", v.options.policies, f.policy)}
${select("assignee", "Assignee", ["none", ...v.options.assignees], f.assignee)}
<label>Due before (ISO)<input name="due-before" value="${f.dueBefore === undefined ? "" : new Date(f.dueBefore).toISOString()}" placeholder="2026-12-01T00:00Z"></label>
<label>Text<input name="text" value="${f.text ?? ""}"></label>
<label><span>Breached</span><input type="checkbox" name="breached" value="1"${f.breached ? html` checked` : ""}></label>
<button type="submit">Filter</button> <a href="/board/">clear</a>
</form>`;
}

function row(item: QueueItem, zone: string) {
  const c = item.clock;
  return html`<tr class="${c?.state ?? "none"}" data-case="${item.number}">
<td><a href="/board/case/${item.number}">#${item.number}</a></td>
<td class="clock">${c ? html`${c.countdown}<div class="meta">${c.metric}, due ${formatDue(c.dueAt, zone)}</div>` : item.error ?? "nothing due"}</td>
<td>${item.policyId}: ${item.severity}</td><td>${item.organization}</td><td>${item.assignee ?? "unassigned"}</td>
<td>${item.status}</td><td>${item.subject}</td></tr>`;
}

export function queuePage(v: QueueView, frame: Omit<Frame, "title">): string {
  const params = filterParams(v.filter);
  const page = v.filter.offset / v.filter.limit + 1;
  const pager = html`<div class="pager">${page > 1 ? html`<a href="/board/${query({ ...params, page: page - 1 })}">← previous</a>` : ""}
<span>page ${page}</span>${v.more ? html`<a rel="next" href="/board/${query({ ...params, page: page + 1 })}">next →</a>` : ""}</div>`;
  // Only the table and the pager refresh: a filter being chosen is never reset under the user's hand.
  const body = html`${filters(v)}
<div id="live-queue" data-live><table class="queue"><thead><tr><th>Case</th><th>Next due (business time left)</th><th>Severity</th><th>Organization</th><th>Assignee</th><th>Status</th><th>Subject</th></tr></thead>
<tbody>${v.items.length ? v.items.map((i) => row(i, v.zone)) : html`<tr><td colspan="7">No open case matches.</td></tr>`}</tbody></table>
${pager}</div>`;
  return layout({ ...frame, title: "Queue", ownLiveParts: true }, body);
}
