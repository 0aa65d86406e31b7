/**
 * What `sla due` answers: every due time of a case opened at an instant, after the policy's eligibility
 * rules (a Severity 1 outside production is handled as Severity 2, and the report says why), decided and
 * worded as for a new case (src/policy/eligibility.ts). Pure: the CLI parses and prints, this decides.
 */
import type { Instant } from "../calendar/types.js";
import { AppError } from "../errors.js";
import { eligibleSeverity } from "../policy/eligibility.js";
import { resolveSeverity, serviceLevelFor } from "../policy/select.js";
import { CASE_TYPE_IDS, METRIC_IDS, type CaseTypeId, type Environment, type MetricId, type Policy } from "../policy/types.js";
import { calendarsForPolicy, effectiveZone } from "./calendars.js";
import { evaluateCase } from "./engine.js";

export const ENVIRONMENTS: readonly Environment[] = ["production", "pre-production", "development"];

export interface DueQuery {
  policy: Policy;
  severityText: string;
  caseType?: string;
  metric?: string;
  environment?: string;
  entitlements: string[];
  openedAt: Instant;
  customerZone?: string | null;
}

export interface DueLine {
  metric: MetricId;
  target: string;
  dueAt: Instant;
  /** Ongoing response and status updates repeat: their due time is for a cycle starting at the opening. */
  repeating: boolean;
}

export type DueReport =
  | { refused: true; requestedSeverity: string; severity: string; caseType: CaseTypeId; reasons: string[] }
  | {
      refused: false;
      requestedSeverity: string;
      severity: string;
      severityName: string;
      caseType: CaseTypeId;
      environment: Environment | null;
      reasons: string[];
      /** A rule was held back because the environment is not given (`--environment` applies it). */
      needsEnvironment: boolean;
      coverage: "business" | "24x7";
      zone: string;
      lines: DueLine[];
    };

const REPEATING: readonly MetricId[] = ["ongoing-response", "status-update"];

export function dueReport(q: DueQuery): DueReport {
  const { policy } = q;
  const level0 = resolveSeverity(policy, q.severityText);
  if (!level0) {
    const known = policy.severities.map((s) => `${s.id} (${s.name})`).join(", ");
    throw new AppError("E_USAGE", `policy ${policy.id} has no severity "${q.severityText}"; use one of ${known} or an alias`);
  }
  const caseType = checkCaseType(policy, q.caseType);
  const environment = checkEnvironment(q.environment);
  checkEntitlements(policy, q.entitlements);
  const metric = checkMetric(q.metric);
  const facts = { caseType, severity: level0.id, environment, entitlements: q.entitlements };
  const eligible = eligibleSeverity(policy, facts);
  if (eligible.refused) return { refused: true, requestedSeverity: level0.id, severity: eligible.severity, caseType, reasons: eligible.reasons };

  const severity = eligible.severity;
  const level = serviceLevelFor(policy, { ...facts, severity });
  if (!level) throw new AppError("E_NO_SERVICE_LEVEL", `policy ${policy.id} sets no targets for ${caseType} severity ${severity}`);
  const calendarFor = calendarsForPolicy(policy, q.customerZone);
  const evaluation = evaluateCase({
    policy,
    calendarFor,
    timeline: [{ kind: "opened", at: q.openedAt, caseType, severity, environment }],
    context: { entitlements: q.entitlements, customerZone: q.customerZone ?? null },
    now: q.openedAt,
  });
  const cal = calendarFor(level.coverage);
  const lines: DueLine[] = [];
  for (const m of METRIC_IDS) {
    const target = level.targets[m];
    if (!target || (metric && m !== metric)) continue;
    const evaluated = evaluation.metrics.find((x) => x.metric === m);
    const dueAt = evaluated?.dueAt ?? cal.add(q.openedAt, target.duration);
    lines.push({ metric: m, target: target.text, dueAt, repeating: REPEATING.includes(m) });
  }
  if (metric && lines.length === 0) {
    throw new AppError("E_NO_TARGET", `policy ${policy.id} sets no ${metric} target for ${caseType} severity ${severity}`);
  }
  const severityName = policy.severities.find((s) => s.id === severity)?.name ?? severity;
  const zone = effectiveZone(policy, q.customerZone);
  const needsEnvironment = eligible.needsEnvironment === true;
  return { refused: false, requestedSeverity: level0.id, severity, severityName, caseType, environment, reasons: eligible.reasons, needsEnvironment, coverage: level.coverage, zone, lines };
}

function checkCaseType(policy: Policy, text: string | undefined): CaseTypeId {
  if (text === undefined) return policy.defaultCaseType;
  if (!(CASE_TYPE_IDS as readonly string[]).includes(text) || !policy.caseTypes.includes(text as CaseTypeId)) {
    throw new AppError("E_USAGE", `policy ${policy.id} has no case type "${text}"; use one of ${policy.caseTypes.join(", ")}`);
  }
  return text as CaseTypeId;
}

function checkEnvironment(text: string | undefined): Environment | null {
  if (text === undefined) return null;
  if (!(ENVIRONMENTS as readonly string[]).includes(text)) {
    throw new AppError("E_USAGE", `--environment must be one of ${ENVIRONMENTS.join(", ")}, got "${text}"`);
  }
  return text as Environment;
}

function checkEntitlements(policy: Policy, names: string[]): void {
  const known = policy.entitlements.map((e) => e.id as string);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    const offer = known.length > 0 ? `it knows ${known.join(", ")}` : "it has no entitlements";
    throw new AppError("E_USAGE", `policy ${policy.id} has no entitlement ${unknown.map((u) => `"${u}"`).join(", ")}; ${offer}`);
  }
}

function checkMetric(text: string | undefined): MetricId | undefined {
  if (text === undefined) return undefined;
  if (!(METRIC_IDS as readonly string[]).includes(text)) {
    throw new AppError("E_USAGE", `--metric must be one of ${METRIC_IDS.join(", ")}, got "${text}"`);
  }
  return text as MetricId;
}
