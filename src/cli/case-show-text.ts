/**
 * `case show N` for a person: the presented case (src/cases/case-view.ts) as text. Times are in the desk's zone;
 * due times also in the customer's, since that is what the customer was promised.
 */
import type { CaseView, CaseViewMetric } from "../cases/case-view.js";
import { formatMinutes } from "../cases/time-entry.js";
import { formatDue } from "../cases/present.js";
import { table } from "./cli-support.js";

export function formatCaseView(v: CaseView): string {
  const at = (iso: string) => formatDue(Date.parse(iso), v.zones.desk);
  // The reason is a whole sentence that names the level itself: on a line of its own, not inside the level's.
  const severity = `${v.severity.name} (${v.severity.source})`;
  const lines = [
    `Case #${v.number}: ${v.subject}`,
    `  organization:  ${v.organization.name}`,
    `  policy:        ${v.policy.name} (${v.policy.id})`,
    `  severity:      ${severity}`,
    ...(v.severity.reason ? [`  why:           ${v.severity.reason}`] : []),
    `  status:        ${v.status}, type ${v.caseType}, opened ${at(v.openedAt)}`,
    `  assignee:      ${v.assignee ? `${v.assignee.name} <${v.assignee.email}>${v.assignee.active ? "" : " (deactivated)"}` : "unassigned"}`,
    `  requester:     ${v.requester.name} <${v.requester.email}>`,
    `  participants:  ${v.participants.map((p) => `${p.email} (${p.role})`).join(", ") || "-"}`,
    ...(v.missingFields.length ? [`  missing:       ${v.missingFields.join(", ")}`] : []),
    "",
    `SLA (desk: ${v.zones.desk}, customer: ${v.zones.customer})`,
    v.sla.length === 0
      ? "  no targets under this policy for this case"
      : table(
          ["METRIC", "TARGET", "DUE (DESK)", "DUE (CUSTOMER)", "STATE"],
          v.sla.map((m) => [label(m), m.target, m.due.desk, m.due.customer, state(m, at)]),
          "  ",
        ),
    "",
    "Thread",
    ...(v.thread.length === 0 ? ["  (none)"] : v.thread.flatMap((e) => threadEntry(e, at))),
    "",
    "Attachments",
    table(["ID", "FILE", "TYPE", "SIZE", "STORED"], v.attachments.map((a) => [String(a.id), a.filename, a.contentType, a.sizeText, a.stored ? "yes" : "deleted (retention)"]), "  "),
    "",
    "Time entries",
    table(
      ["WHEN", "BY", "TIME", "NOTE"],
      v.timeEntries.map((t) => [at(t.at), t.actor, `${formatMinutes(t.minutes)}${t.counts ? "" : " nocount"}`, t.note]),
      "  ",
    ),
    "",
    "Events",
    ...v.events.map((e) => `  ${at(e.at)}  ${e.kind}  by ${e.actor}${Object.keys(e.data).length ? `  ${JSON.stringify(e.data)}` : ""}`),
  ];
  return lines.join("\n");
}

const label = (m: CaseViewMetric) => (m.cycle > 0 ? `${m.label} #${m.cycle + 1}` : m.label);

function state(m: CaseViewMetric, at: (iso: string) => string): string {
  if (m.state === "breached") return m.metLate && m.metAt ? `BREACHED, met late ${at(m.metAt)}` : "BREACHED, still open";
  if (m.state === "met") return m.metAt ? `met ${at(m.metAt)}` : "met";
  return m.state;
}

function threadEntry(e: CaseView["thread"][number], at: (iso: string) => string): string[] {
  const arrow = e.direction === "received" ? `<- from ${e.author}` : `-> to ${e.to.join(", ")} (${e.kind}, ${e.state})`;
  return [
    `  ${at(e.at)}  ${arrow}`,
    `      ${e.subject}`,
    ...e.firstLines.map((l) => `      | ${l}`),
    ...e.attachments.map((a) => `      attachment ${a.id === null ? "" : `#${a.id} `}${a.filename}${a.size === null ? "" : ` (${a.size} bytes)`}`),
  ];
}
