/**
 * Turns a schema-checked policy file into a `Policy` and checks what relates one part of the file to another:
 * severities, case types and entitlements that must exist, zones and opening hours that must make sense,
 * downgrade chains that must end. Pure: returns the issues, the caller throws.
 */
import { DateTime, Info } from "luxon";
import { HOLIDAY_SETS } from "../calendar/holidays.js";
import type { OpenInterval, Weekday } from "../calendar/types.js";
import type { Condition, Policy, ServiceLevel, TargetSet } from "./types.js";
import type { RawPolicy } from "./schema.js";
import { aliasKeys } from "./select.js";

export type Issue = { path: string; message: string };

/** The holiday sets the calendar can compute (src/calendar/holidays.ts is the one list). */
export const KNOWN_HOLIDAY_SETS: readonly string[] = HOLIDAY_SETS;
const DAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export function toPolicy(raw: RawPolicy): Policy {
  const { week } = raw.calendar;
  let spec: Policy["calendar"]["week"] = "24x7";
  if (week !== "24x7") {
    const out: Partial<Record<Weekday, OpenInterval[]>> = {};
    for (const day of DAYS) {
      const intervals = [...(day !== "sat" && day !== "sun" ? (week.weekdays ?? []) : []), ...(week[day] ?? [])];
      if (intervals.length > 0) out[day] = intervals;
    }
    spec = out;
  }
  const { week: _w, closedDates, followsCustomerZone, ...calendar } = raw.calendar;
  return {
    ...raw,
    calendar: {
      ...calendar,
      week: spec,
      ...(closedDates ? { closedDates } : {}),
      ...(followsCustomerZone !== undefined ? { followsCustomerZone } : {}),
    },
    serviceLevels: toServiceLevels(raw.serviceLevels),
  } as Policy;
}

/** The YAML's service levels as the engine reads them (targets without a value left out). */
export function toServiceLevels(raw: RawPolicy["serviceLevels"]): ServiceLevel[] {
  return raw.map((level): ServiceLevel => {
    const targets: TargetSet = {};
    for (const [metric, target] of Object.entries(level.targets)) {
      if (target) targets[metric as keyof TargetSet] = target;
    }
    return { caseType: level.caseType, severity: level.severity, coverage: level.coverage, ...(level.when ? { when: level.when } : {}), targets };
  });
}

export function crossCheck(policy: Policy): Issue[] {
  return [...checkCalendar(policy), ...checkSeverities(policy), ...checkServiceLevels(policy), ...checkRules(policy), ...checkLifecycle(policy)];
}

/** Extended Support's critical severities must be the policy's own. */
function checkLifecycle(p: Policy): Issue[] {
  const ids = p.severities.map((s) => s.id);
  return (p.lifecycle?.extendedSupport.criticalDefects.severities ?? []).flatMap((id, i) =>
    ids.includes(id) ? [] : [{ path: `lifecycle.extendedSupport.criticalDefects.severities[${i}]`, message: `unknown severity "${id}": this policy's severities are ${ids.join(", ")}` }],
  );
}

function checkCalendar(p: Policy): Issue[] {
  const issues: Issue[] = [];
  const { zone, week, holidays, closedDates } = p.calendar;
  if (!isValidZone(zone)) {
    issues.push({ path: "calendar.zone", message: `unknown time zone "${zone}": use an IANA zone ("America/New_York") or a fixed offset ("UTC-3", "UTC+5:30")` });
  }
  holidays.forEach((h, i) => {
    if (!KNOWN_HOLIDAY_SETS.includes(h)) {
      issues.push({ path: `calendar.holidays[${i}]`, message: `unknown holiday set "${h}": known sets are ${KNOWN_HOLIDAY_SETS.join(", ")}` });
    }
  });
  closedDates?.forEach((d, i) => {
    if (!isCalendarDate(d)) issues.push({ path: `calendar.closedDates[${i}]`, message: `"${d}" is not a date written YYYY-MM-DD` });
  });
  if (week !== "24x7") {
    if (Object.keys(week).length === 0) issues.push({ path: "calendar.week", message: "no open hours on any day" });
    for (const [day, intervals] of Object.entries(week)) issues.push(...checkDay(day, intervals ?? []));
  }
  return issues;
}

function checkDay(day: string, intervals: OpenInterval[]): Issue[] {
  const issues: Issue[] = [];
  let lastEnd = -1;
  const sorted = intervals.map((iv, i) => ({ iv, i, from: minutesOf(iv.from), to: minutesOf(iv.to) }));
  for (const { iv, i, from, to } of sorted) {
    const path = `calendar.week.${day}[${i}]`;
    if (from === null || from >= 24 * 60) issues.push({ path: `${path}.from`, message: `"${iv.from}" is not a time written HH:MM (00:00–23:59)` });
    if (to === null) issues.push({ path: `${path}.to`, message: `"${iv.to}" is not a time written HH:MM (up to 24:00)` });
    if (from === null || to === null) continue;
    if (to <= from) issues.push({ path, message: `closes (${iv.to}) before it opens (${iv.from})` });
    if (from < lastEnd) issues.push({ path, message: `overlaps or is out of order with the previous interval of ${day}` });
    lastEnd = Math.max(lastEnd, to);
  }
  return issues;
}

function checkSeverities(p: Policy): Issue[] {
  const issues: Issue[] = [];
  const ids = new Set<string>();
  const owner = new Map<string, string>();
  p.severities.forEach((s, i) => {
    if (ids.has(s.id)) issues.push({ path: `severities[${i}].id`, message: `severity "${s.id}" is declared twice` });
    ids.add(s.id);
    [s.id, s.name, ...s.aliases].forEach((alias, j) => {
      for (const key of aliasKeys(alias)) {
        const other = owner.get(key);
        if (other !== undefined && other !== s.id) {
          const where = j === 0 ? "id" : j === 1 ? "name" : `aliases[${j - 2}]`;
          issues.push({ path: `severities[${i}].${where}`, message: `"${alias}" would also match severity "${other}"` });
        }
        owner.set(key, s.id);
      }
    });
  });
  if (!ids.has(p.defaultSeverity)) issues.push({ path: "defaultSeverity", message: unknownSeverity(p, p.defaultSeverity) });
  if (!p.caseTypes.includes(p.defaultCaseType)) {
    issues.push({ path: "defaultCaseType", message: `"${p.defaultCaseType}" is not listed in caseTypes (${p.caseTypes.join(", ")})` });
  }
  if (p.pausedWhileWaiting.includes("initial-response")) {
    const i = p.pausedWhileWaiting.indexOf("initial-response");
    issues.push({ path: `pausedWhileWaiting[${i}]`, message: "the initial response never pauses: the customer is not yet waiting on anything from us" });
  }
  return issues;
}

function checkServiceLevels(p: Policy): Issue[] {
  const issues: Issue[] = [];
  p.serviceLevels.forEach((level, i) => {
    const path = `serviceLevels[${i}]`;
    if (!p.caseTypes.includes(level.caseType)) issues.push({ path: `${path}.caseType`, message: `"${level.caseType}" is not listed in caseTypes (${p.caseTypes.join(", ")})` });
    if (level.severity !== null && !hasSeverity(p, level.severity)) issues.push({ path: `${path}.severity`, message: unknownSeverity(p, level.severity) });
    issues.push(...checkCondition(p, level.when, `${path}.when`));
    if (level.coverage === "24x7") {
      for (const [metric, target] of Object.entries(level.targets)) {
        if (target.duration.unit === "days" || /business/i.test(target.text)) {
          issues.push({ path: `${path}.targets.${metric}`, message: `"${target.text}" counts business time, but this service level has 24x7 coverage: write wall-clock hours or minutes` });
        }
      }
    }
    const shadow = p.serviceLevels.findIndex((o, j) => j < i && !o.when && o.caseType === level.caseType && (o.severity === null || o.severity === level.severity));
    if (shadow >= 0) issues.push({ path, message: `never applies: serviceLevels[${shadow}] matches the same cases unconditionally and comes first (list variants before the default)` });
  });
  return issues;
}

function checkRules(p: Policy): Issue[] {
  const issues: Issue[] = [];
  p.eligibility.forEach((rule, i) => {
    const path = `eligibility[${i}]`;
    if (rule.severity !== undefined && !hasSeverity(p, rule.severity)) issues.push({ path: `${path}.severity`, message: unknownSeverity(p, rule.severity) });
    if (rule.caseType !== undefined && !p.caseTypes.includes(rule.caseType)) issues.push({ path: `${path}.caseType`, message: `"${rule.caseType}" is not listed in caseTypes` });
    issues.push(...checkCondition(p, rule.requires, `${path}.requires`));
    if ("downgradeTo" in rule.otherwise) {
      const to = rule.otherwise.downgradeTo;
      if (!hasSeverity(p, to)) issues.push({ path: `${path}.otherwise.downgradeTo`, message: unknownSeverity(p, to) });
      else if (to === rule.severity) issues.push({ path: `${path}.otherwise.downgradeTo`, message: "downgrades a severity to itself" });
      else if (rule.severity === undefined) issues.push({ path: `${path}.severity`, message: "a downgrade rule must name the severity it downgrades" });
    }
  });
  const cycle = downgradeCycle(p);
  if (cycle) issues.push({ path: "eligibility", message: `downgrades go round in a circle: ${cycle.join(" → ")}` });
  p.reminders.forEach((r, i) => {
    r.severities?.forEach((s, j) => {
      if (!hasSeverity(p, s)) issues.push({ path: `reminders[${i}].severities[${j}]`, message: unknownSeverity(p, s) });
    });
  });
  return issues;
}

function checkCondition(p: Policy, c: Condition | undefined, path: string): Issue[] {
  const declared = new Set(p.entitlements.map((e) => e.id));
  return (c?.entitlements ?? []).flatMap((e, j) =>
    declared.has(e) ? [] : [{ path: `${path}.entitlements[${j}]`, message: `entitlement "${e}" is not declared under entitlements` }],
  );
}

function downgradeCycle(p: Policy): string[] | null {
  const next = new Map<string, string>();
  for (const r of p.eligibility) if (r.severity !== undefined && "downgradeTo" in r.otherwise) next.set(r.severity, r.otherwise.downgradeTo);
  for (const start of next.keys()) {
    const seen = [start];
    for (let s = next.get(start); s !== undefined; s = next.get(s)) {
      if (s === start) return [...seen, s];
      if (seen.includes(s)) break;
      seen.push(s);
    }
  }
  return null;
}

const hasSeverity = (p: Policy, id: string) => p.severities.some((s) => s.id === id);
const unknownSeverity = (p: Policy, id: string) => `unknown severity "${id}": declared severities are ${p.severities.map((s) => `"${s.id}"`).join(", ")}`;

function isValidZone(zone: string): boolean {
  // Fixed offsets are written "UTC-3" / "UTC+5:30"; bare "GMT-3" is not accepted because luxon reads it as an IANA name.
  const z = Info.normalizeZone(zone);
  return z !== null && z.isValid;
}

function minutesOf(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  return DateTime.fromISO(s, { zone: "utc" }).isValid;
}
