/**
 * Which of the policy's required template fields a request leaves out (pure), so the acknowledgment can
 * ask for them. Policies spell fields in kebab-case ("steps-to-reproduce", "namespace"); the result uses the
 * template reader's names ("stepsToReproduce", "namespaces") so it reads alongside `fields`.
 */
import type { Policy } from "../../policy/types.js";
import { normaliseEnvironment } from "./environment.js";
import { FIELD_NAMES, FIELD_LABELS } from "./template-labels.js";
import type { FieldName } from "./template-labels.js";

export interface RequestFacts {
  /** A severity was named in a field or a subject tag (not the policy's default). */
  severityGiven: boolean;
  /** The message carries attachments (CIQ's "evidence" may be a log file). */
  hasAttachments: boolean;
  /** The request's case type: some fields belong to incidents only (notNeededFor). */
  caseType?: string;
}

/**
 * Fields a case type other than an incident is not asked for. Konneqt [003]: "Provide an initial Priority
 * Level for Incidents" (so priority is asked of incidents only) and "A Query does not need to be linked to a
 * specific production or pre production deployment" (so a query is asked neither deployment nor environment).
 */
export function notNeededFor(caseType: string | undefined): ReadonlySet<string> {
  if (caseType === undefined || caseType === "incident") return new Set();
  const incidentOnly = ["severity", "priority"];
  return new Set(caseType === "query" ? [...incidentOnly, "deployment", "environment"] : incidentOnly);
}

/** Policy spellings that are not simply the camelCase of a field name. */
const RENAMES: Record<string, string> = {
  namespace: "namespaces",
  "vantiq-version": "version",
  "product-version": "version",
  "client-application": "clientApp",
  "client-app-version": "clientVersion",
  steps: "stepsToReproduce",
  "case-type": "caseType",
};

const camel = (kebab: string): string => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The name a policy's required field goes by in `fields` and `missingFields`. */
export function requiredFieldName(policyField: string): string {
  return RENAMES[policyField] ?? camel(policyField);
}

/**
 * How an acknowledgment asks for a missing field: its label, never its name in code. A policy whose
 * severities are priorities (Konneqt's P0–P3) asks for the "Priority".
 */
export function missingFieldLabel(name: string, policy?: Pick<Policy, "severities">): string {
  if (name === "severity" && policy && policy.severities.length > 0 && policy.severities.every((s) => /^P\d$/.test(s.id))) return FIELD_LABELS.priority;
  if ((FIELD_NAMES as readonly string[]).includes(name)) return FIELD_LABELS[name as FieldName];
  if (name === "evidence") return "Evidence (logs, error messages or screenshots)";
  return name.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase());
}

export function missingFields(
  policy: Policy,
  fields: Partial<Record<FieldName, string>>,
  facts: RequestFacts = { severityGiven: fields.severity !== undefined || fields.priority !== undefined, hasAttachments: false },
): string[] {
  const env = normaliseEnvironment(fields.environment);
  const present = (name: string): boolean => {
    switch (name) {
      case "severity":
      case "priority":
        return facts.severityGiven;
      // A value we cannot place ("mars") is as good as none: the severity rules need one of the three.
      case "environment":
        return env.environment !== null;
      case "deployment":
        return fields.deployment !== undefined || env.deployment !== null;
      case "evidence":
        return facts.hasAttachments || fields.stepsToReproduce !== undefined || fields.exports !== undefined;
      default:
        return fields[name as FieldName] !== undefined;
    }
  };
  const names = policy.requiredFields.map(requiredFieldName);
  const notNeeded = notNeededFor(facts.caseType);
  return [...new Set(names)].filter((n) => !present(n) && !notNeeded.has(n));
}
