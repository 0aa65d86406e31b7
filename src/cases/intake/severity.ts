/**
 * Which severity a new case gets (pure): the template's severity/priority field through the policy's
 * aliases, else a subject tag ([Sev1], [P1], "Severity 2:"), else the policy's default; then the policy's
 * eligibility rules (src/policy/eligibility.ts, shared with `sla due`: an unknown environment keeps the
 * requested severity and is asked for).
 */
import { eligibleSeverity } from "../../policy/eligibility.js";
import { resolveSeverity } from "../../policy/select.js";
import type { CaseTypeId, EntitlementId, Environment, Policy, SeverityLevel } from "../../policy/types.js";
import type { FieldName } from "./template-labels.js";
import { stripReplyPrefixes } from "../../mail/subject.js";

export { chooseCaseType } from "./case-type.js";
export type { CaseTypeChoice } from "./case-type.js";
export { missingFieldLabel, missingFields, requiredFieldName } from "./missing-fields.js";

export interface SeverityChoice {
  id: string;
  source: "field" | "subject" | "default" | "downgrade";
  reason: string;
  /** The severity the customer asked for, when it was downgraded or refused. */
  requested?: string;
  /** Why the policy changed the severity asked for (its eligibility rules' wording), when it did. */
  changeReason?: string;
  /** An eligibility rule refuses this kind of case (Konneqt Basic: incidents outside production). */
  refused?: { reason: string };
  /** The eligibility of the requested severity depends on the environment, which the request does not name. */
  needsEnvironment?: true;
}

export interface SeverityInput {
  fields: Partial<Record<FieldName, string>>;
  subject: string;
  environment: Environment | null;
  caseType: CaseTypeId;
  entitlements: readonly EntitlementId[];
}

export function chooseSeverity(policy: Policy, input: SeverityInput): SeverityChoice {
  const requested = requestedSeverity(policy, input.fields, input.subject);
  return applyRules(policy, input, requested);
}

type Requested = { level: SeverityLevel; source: "field" | "subject" | "default"; reason: string };

function requestedSeverity(policy: Policy, fields: SeverityInput["fields"], subject: string): Requested {
  const notes: string[] = [];
  for (const field of ["severity", "priority"] as const) {
    const value = fields[field];
    if (value === undefined) continue;
    const level = resolveSeverity(policy, value);
    if (level) return { level, source: "field", reason: `${level.name}, from the ${field} field ("${value}").` };
    notes.push(`The ${field} field ("${value}") names no ${policy.name} severity.`);
  }
  const tag = subjectSeverityTag(subject);
  const tagged = tag ? resolveSeverity(policy, tag) : null;
  if (tagged) return { level: tagged, source: "subject", reason: [...notes, `${tagged.name}, from the subject tag "${tag}".`].join(" ") };
  if (tag) notes.push(`The subject tag "${tag}" names no ${policy.name} severity.`);
  const level = policy.severities.find((s) => s.id === policy.defaultSeverity) ?? policy.severities[policy.severities.length - 1]!;
  const none = notes.length === 0 ? "No severity was given" : "No usable severity was given";
  return { level, source: "default", reason: [...notes, `${none}; the policy's default, ${level.name}, applies.`].join(" ") };
}

/** The policy's eligibility rules (src/policy/eligibility.ts) after what the customer asked for. */
function applyRules(policy: Policy, input: SeverityInput, requested: Requested): SeverityChoice {
  const facts = { caseType: input.caseType, severity: requested.level.id, environment: input.environment, entitlements: input.entitlements };
  const eligible = eligibleSeverity(policy, facts);
  const downgraded = eligible.severity !== requested.level.id;
  const choice: SeverityChoice = {
    id: eligible.severity,
    source: downgraded ? "downgrade" : requested.source,
    reason: eligible.reasons.length === 0 ? requested.reason : join(requested.reason, ...eligible.reasons),
  };
  if (downgraded || eligible.refused) choice.requested = requested.level.id;
  if (downgraded) choice.changeReason = join(...eligible.reasons);
  if (eligible.refused) choice.refused = { reason: eligible.reasons.at(-1)! };
  else if (eligible.needsEnvironment) choice.needsEnvironment = true;
  return choice;
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();
const join = (...parts: string[]): string => parts.map(oneLine).filter(Boolean).join(" ");

/**
 * The severity tag in a subject, as written ("Sev1", "P0", "Severity 2"), or null.
 * Bracketed tags anywhere; "Severity N"/"Sev N"/"Priority N" anywhere; a bare "P1"/"S2" only at the start
 * followed by ":" or a dash, since "S3 bucket" or "P2P sync" are not tags.
 */
export function subjectSeverityTag(subject: string): string | null {
  const s = stripReplyPrefixes(subject);
  const patterns = [
    /[[(]\s*((?:sev(?:erity)?|priority|prio|[sp])\s*[-_.]?\s*\d)\s*[\])]/i,
    /\b((?:severity|sev|priority|prio)\s*[-_.]?\s*\d)\b/i,
    /^((?:[sp])\s*\d)\s*(?::|\s[-–—]\s)/i,
  ];
  for (const re of patterns) {
    const m = re.exec(s);
    if (m) return m[1]!.replace(/\s+/g, " ");
  }
  return null;
}
