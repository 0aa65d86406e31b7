/**
 * DigestData → the mail: subject, a text part with plain-text tables, and an email-safe HTML part
 * (tables and inline styles only; bars are table cells with percentage widths; no scripts, no images).
 * The view computed here is what templates/digest.{txt,html}.hbs see; the HTML template escapes it.
 */
import { formatDue, formatSpan, METRIC_LABELS } from "../cases/present.js";
import type { RenderedBody, TemplateRenderer } from "../outbox/templates.js";
import type { Attainment, AtRiskRow, BreachRow, CountRow, DigestData } from "./build.js";
import { textTable } from "./text-table.js";
import { lifecycleDigestView } from "./lifecycle.js";

export interface RenderedDigest extends RenderedBody {
  subject: string;
}

const percent = (a: Attainment) => (a.rate === null ? "—" : `${Math.round(a.rate * 100)} %`);
const metricName = (r: { metric: BreachRow["metric"]; cycle: number }) =>
  METRIC_LABELS[r.metric] + (r.cycle > 0 ? ` (#${r.cycle + 1})` : "");

export function digestSubject(data: DigestData): string {
  if (data.empty) return `SLA digest ${data.day}: no breaches`;
  const n = data.breaches.length;
  return `SLA digest ${data.day}: ${n} ${n === 1 ? "breach" : "breaches"}, ${data.atRisk.length} at risk`;
}

/** A bar as two cells: the filled share and the rest (a zero-width cell is left out, mail clients draw it anyway). */
function bar(share: number) {
  const filled = Math.max(0, Math.min(100, Math.round(share * 100)));
  return { filled, rest: 100 - filled };
}

function countRows(rows: CountRow[]) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return rows.map((r) => ({ label: r.label, count: r.count, bar: bar(r.count / max) }));
}

/** Rows listed per table: a mail with thousands of rows is unreadable (and slow to format); the rest is counted. */
export const MAX_ROWS = 100;

export function digestView(data: DigestData) {
  const z = data.zone;
  const breaches = data.breaches.slice(0, MAX_ROWS).map((b) => ({
    caseNumber: b.caseNumber,
    subject: b.subject,
    organization: b.organization,
    severity: b.severity,
    metric: metricName(b),
    due: formatDue(b.dueAt, z),
    outcome: b.outcome,
    late: formatSpan(b.lateMs).replace(" of business time", ""),
    breachedFor: b.breachedMs === null ? "" : formatSpan(b.breachedMs, { business: false }),
  }));
  const atRisk = data.atRisk.slice(0, MAX_ROWS).map((r: AtRiskRow) => ({
    caseNumber: r.caseNumber,
    subject: r.subject,
    organization: r.organization,
    severity: r.severity,
    metric: metricName(r),
    due: formatDue(r.dueAt, z),
    left: formatSpan(r.remainingMs).replace(" of business time", ""),
  }));
  const attainment = [...data.attainment.map((a) => ({ ...a, label: a.severity })), { ...data.attainmentTotal, label: "All severities" }].map(
    (a) => ({ label: a.label, p7: percent(a.last7), p30: percent(a.last30), n7: a.last7.total, n30: a.last30.total, bar7: bar(a.last7.rate ?? 0), bar30: bar(a.last30.rate ?? 0) }),
  );
  return {
    day: data.day,
    asOf: formatDue(data.now, z),
    empty: data.empty,
    breachCount: data.breaches.length,
    breaches,
    moreBreaches: data.breaches.length - breaches.length,
    atRiskCount: data.atRisk.length,
    atRisk,
    moreAtRisk: data.atRisk.length - atRisk.length,
    openTotal: data.openTotal,
    openBySeverity: countRows(data.openBySeverity),
    openByOrganization: countRows(data.openByOrganization),
    attainment,
    stillOpen: data.breaches.filter((b) => b.outcome === "still open").length,
    intake: intakeView(data),
    nearQuota: data.nearQuota.map((q) => ({ ...q, usedOf: `${q.used}/${q.allowance}` })),
    lifecycle: lifecycleDigestView(data.lifecycle ?? []),
    text: {
      breaches: textTable(
        ["Case", "Organization", "Severity", "Metric", "Due", "Status", "Breached for", "Late (business)"],
        breaches.map((b) => [`#${b.caseNumber}`, b.organization, b.severity, b.metric, b.due, b.outcome, b.breachedFor || "-", b.late]),
      ),
      atRisk: textTable(["Case", "Organization", "Severity", "Metric", "Due", "Left (business)"], atRisk.map((r) => [`#${r.caseNumber}`, r.organization, r.severity, r.metric, r.due, r.left])),
      bySeverity: textTable(["Severity", "Open"], data.openBySeverity.map((r) => [r.label, String(r.count)])),
      byOrganization: textTable(["Organization", "Open"], data.openByOrganization.map((r) => [r.label, String(r.count)])),
      nearQuota: textTable(["Organization", "Used/allowance", "Remaining"], data.nearQuota.map((q) => [q.organization, `${q.used}/${q.allowance}`, String(q.remaining)])),
      attainment: textTable(["Severity", "7 days", "(metrics)", "30 days", "(metrics)"], attainment.map((a) => [a.label, a.p7, String(a.n7), a.p30, String(a.n30)])),
    },
  };
}

/** Refused and quarantined mail since the last digest: totals, and each reason with its count. */
function intakeView(data: DigestData) {
  const i = data.intake;
  if (!i) return null;
  const reasons = (rows: CountRow[]) => rows.map((r) => `${r.label} ${r.count}`).join(", ");
  return {
    since: formatDue(i.since, data.zone),
    refused: i.refusedTotal,
    refusedReasons: reasons(i.refused),
    quarantined: i.quarantinedTotal,
    quarantinedReasons: reasons(i.quarantined),
  };
}

export function renderDigest(templates: TemplateRenderer, data: DigestData): RenderedDigest {
  return { subject: digestSubject(data), ...templates.render("digest", digestView(data)) };
}
