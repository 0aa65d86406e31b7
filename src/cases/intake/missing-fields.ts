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

/** How an acknowledgment asks for a missing field. */
export function missingFieldLabel(name: string): string {
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
  return [...new Set(names)].filter((n) => !present(n));
}
