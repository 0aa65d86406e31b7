/**
 * A policy as a person reads it (`support-inbox policy show`): calendar, severities, the targets table and the
 * rules around them. Pure: returns text.
 */
import type { OpenInterval, Weekday } from "../calendar/types.js";
import { METRIC_IDS, type Condition, type MetricId, type Policy } from "./types.js";

const DAYS: Array<[Weekday, string]> = [["mon", "Mon"], ["tue", "Tue"], ["wed", "Wed"], ["thu", "Thu"], ["fri", "Fri"], ["sat", "Sat"], ["sun", "Sun"]];

export function formatPolicy(p: Policy): string {
  const lines: string[] = [`${p.id}: ${p.name}  (seed ${p.seed})`, ""];
  lines.push("Calendar", `  ${p.calendar.description}`);
  lines.push(`  zone ${p.calendar.zone}${p.calendar.followsCustomerZone ? " (replaced by the customer's zone when known)" : ""}`);
  lines.push(`  open ${formatWeek(p.calendar.week)}`);
  lines.push(`  holidays ${p.calendar.holidays.length ? p.calendar.holidays.join(", ") : "none"}${p.calendar.closedDates?.length ? `; closed ${p.calendar.closedDates.join(", ")}` : ""}`);
  lines.push("", `Case types: ${p.caseTypes.map((t) => (t === p.defaultCaseType ? `${t} (default)` : t)).join(", ")}`);
  lines.push("", "Severities");
  for (const s of p.severities) {
    lines.push(`  ${s.id.padEnd(3)} ${s.name}${s.id === p.defaultSeverity ? " (default)" : ""}`);
    lines.push(`      ${s.definition}`, `      aliases: ${s.aliases.join(", ") || "none"}`);
  }
  lines.push("", "Targets", ...indent(targetsTable(p)));
  if (p.eligibility.length) {
    lines.push("", "Eligibility");
    for (const r of p.eligibility) {
      const what = [r.caseType, r.severity && `severity ${r.severity}`].filter(Boolean).join(" ") || "every case";
      const otherwise = "downgradeTo" in r.otherwise ? `downgrade to ${r.otherwise.downgradeTo}` : "refuse";
      lines.push(`  ${what} requires ${formatCondition(r.requires)}; otherwise ${otherwise}: "${r.reason}"`);
    }
  }
  lines.push("", "Reminders");
  for (const r of p.reminders) {
    const scope = [r.metrics && `metrics ${r.metrics.join(", ")}`, r.severities && `severities ${r.severities.join(", ")}`].filter(Boolean).join("; ");
    lines.push(`  at ${Math.round(r.at * 100)}%${r.at === 1 ? " (breach)" : ""} → ${r.notify.join(", ")}${scope ? ` (${scope})` : ""}`);
  }
  lines.push(`Paused while waiting on the customer: ${p.pausedWhileWaiting.join(", ") || "nothing"}`);
  lines.push(`Required fields: ${p.requiredFields.join(", ") || "none"}`);
  if (p.entitlements.length) lines.push(`Entitlements: ${p.entitlements.map((e) => `${e.id} (${e.description})`).join("; ")}`);
  if (p.quota) lines.push(`Quota: ${p.quota.ticketsPerYear} tickets a year${p.quota.carryOver ? ", unused ones carried over" : ""}`);
  if (p.queryHourLimits) lines.push(`Query hour limits: ${Object.entries(p.queryHourLimits).map(([t, h]) => `${t} ${h} h`).join(", ")}`);
  if (p.retention) lines.push(`Retention (days): ${Object.entries(p.retention).map(([k, d]) => `${k} ${d}`).join(", ")}`);
  return lines.join("\n") + "\n";
}

function targetsTable(p: Policy): string[] {
  if (p.serviceLevels.length === 0) return ["none (set by each organization's agreement)"];
  const metrics = METRIC_IDS.filter((m) => p.serviceLevels.some((l) => l.targets[m]));
  const header = ["case type", "severity", "coverage", "when", ...metrics];
  const rows = p.serviceLevels.map((l) => [
    l.caseType,
    l.severity ?? "any",
    l.coverage,
    l.when ? formatCondition(l.when) : "",
    ...metrics.map((m: MetricId) => l.targets[m]?.text ?? "-"),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
}

function formatCondition(c: Condition): string {
  return [c.entitlements && `entitlement ${c.entitlements.join(" + ")}`, c.environments && `environment ${c.environments.join(" or ")}`]
    .filter(Boolean)
    .join(" and ");
}

/** "Mon–Fri 08:00–18:00", or "24x7". Consecutive days with the same hours are grouped. */
export function formatWeek(week: Policy["calendar"]["week"]): string {
  if (week === "24x7") return "24x7";
  const key = (ivs: OpenInterval[] | undefined) => (ivs ?? []).map((iv) => `${iv.from}–${iv.to}`).join(", ");
  const groups: Array<{ first: string; last: string; hours: string }> = [];
  for (const [day, label] of DAYS) {
    const hours = key(week[day]);
    const prev = groups[groups.length - 1];
    if (prev && prev.hours === hours) prev.last = label;
    else groups.push({ first: label, last: label, hours });
  }
  return groups
    .filter((g) => g.hours)
    .map((g) => `${g.first === g.last ? g.first : `${g.first}–${g.last}`} ${g.hours}`)
    .join("; ");
}

const indent = (lines: string[]) => lines.map((l) => `  ${l}`);
