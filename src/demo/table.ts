/**
 * The closing table: every case with its policy, severity (and why), status, and each SLA metric's due
 * time and outcome, re-evaluated from the case's history at the end of the week (the stored slaState is
 * only as fresh as the case's last scheduler visit). Times are in the customer's zone, as in their mail.
 */
import { DateTime } from "luxon";
import { METRIC_LABELS } from "../cases/present.js";
import type { Policy } from "../policy/types.js";
import type { MetricStatus } from "../sla/types.js";
import type { Db } from "../store/database.js";
import { listCasesWithParties } from "../store/repos/demo.js";
import { evaluateTrail } from "../cases/case-sla.js";
import { loadTrails } from "../scheduler/case-sla.js";

/** How a severity was chosen, in words ("field" is the request template's severity or priority line). */
export const SOURCE_WORDS: Record<string, string> = {
  field: "template field",
  subject: "subject tag",
  default: "policy default",
  downgrade: "downgraded",
  staff: "set by staff",
};
export const sourceWords = (source: string): string => SOURCE_WORDS[source] ?? source;

export interface CaseSummary {
  number: number;
  organization: string;
  policyId: string;
  caseType: string;
  severity: string;
  severitySource: string;
  severityReason: string | null;
  status: string;
  /** The severity as the case was opened (after any downgrade), and why. */
  opened: { severity: string; source: string; reason: string | null };
  /** Later changes by staff (#severity), oldest first. */
  severityChanges: string[];
  zone: string;
  metrics: MetricStatus[];
}

export async function summarizeCases(db: Db, policies: Map<string, Policy>, now: number): Promise<CaseSummary[]> {
  const rows = await listCasesWithParties(db);
  const trails = await loadTrails(db, rows.map((r) => r.c.id));
  return rows.map(({ c, org, requester }) => {
    const zone = requester.timeZone ?? org.timeZone ?? policies.get(c.policyId)?.calendar.zone ?? "UTC";
    const policy = policies.get(c.policyId)!;
    const trail = trails.get(c.id) ?? [];
    const openedEvent = trail.find((e) => e.kind === "opened")?.data ?? {};
    const evaluation = evaluateTrail(policy, trail, { entitlements: org.entitlements, customerZone: zone }, c.remindersSent, now);
    return {
      number: c.number,
      organization: org.name,
      policyId: c.policyId,
      caseType: c.caseType,
      severity: c.severity,
      severitySource: c.severitySource,
      severityReason: c.severityReason,
      status: c.status,
      opened: {
        severity: String(openedEvent.severity ?? c.severity),
        source: String(openedEvent.severitySource ?? c.severitySource),
        reason: typeof openedEvent.severityReason === "string" ? openedEvent.severityReason : null,
      },
      severityChanges: trail.filter((e) => e.kind === "severity-changed").map((e) => String(e.data.severity)),
      zone,
      metrics: evaluation.metrics,
    };
  });
}

const when = (at: number, zone: string) => DateTime.fromMillis(at, { zone }).toFormat("ccc dd LLL HH:mm ZZZZ");

function outcome(m: MetricStatus, zone: string): string {
  const met = m.metAt === null ? "" : ` ${when(m.metAt, zone)}`;
  if (m.state === "met") return `met${met}`;
  if (m.state === "breached-met") return `BREACHED, met late${met}`;
  if (m.state === "breached") return "BREACHED, still open";
  return m.state;
}

/** One row per metric; repeating metrics (status updates, ongoing responses) show their last cycle and a count. */
function metricRows(s: CaseSummary): string[][] {
  if (s.metrics.length === 0) return [["no targets", "(set per agreement)", ""]];
  const byMetric = new Map<string, MetricStatus[]>();
  for (const m of s.metrics) byMetric.set(m.metric, [...(byMetric.get(m.metric) ?? []), m]);
  return [...byMetric.values()].map((cycles) => {
    const last = cycles.at(-1)!;
    const breached = cycles.filter((m) => m.state === "breached" || m.state === "breached-met").length;
    const label = METRIC_LABELS[last.metric] + (cycles.length > 1 ? ` #${cycles.length}` : "");
    const note = cycles.length > 1 && breached > 0 ? ` (${breached} of ${cycles.length} breached)` : "";
    return [label, when(last.dueAt, s.zone), outcome(last, s.zone) + note];
  });
}

export function renderCaseTable(summaries: CaseSummary[]): string[] {
  const header = ["Case", "Organization", "Policy", "Severity", "Status", "Metric", "Due (customer's time)", "Outcome"];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const s of summaries) {
    const why = s.severityChanges.length ? `opened ${s.opened.severity}, ${sourceWords(s.opened.source)}; staff set ${s.severityChanges.join(" → ")}` : sourceWords(s.opened.source);
    metricRows(s).forEach((m, i) =>
      rows.push(i === 0 ? [`#${s.number}`, s.organization, s.policyId, `${s.severity} (${why})`, s.status, ...m] : ["", "", "", "", "", ...m]),
    );
    // Field and subject choices explain themselves; a default or a downgrade needs its reason.
    if (!["field", "subject"].includes(s.opened.source) && s.opened.reason) notes.push(`#${s.number} opened as ${s.opened.severity}: ${s.opened.reason}`);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line), "", ...notes];
}
