/**
 * Which severity a new case gets (pure): the template's severity/priority field through the policy's
 * aliases, else a subject tag ([Sev1], [P1], "Severity 2:"), else the policy's default; then the policy's
 * eligibility rules, following downgrades ("Severity 1 only in production") until one holds.
 *
 * Unknown environment: the rule cannot be decided yet (Severity 1 with no environment named). We keep the
 * requested severity and say that the environment is needed: downgrading a real production outage because
 * the customer left out one line would delay exactly the cases that matter most, the acknowledgment asks
 * for the environment (it is reported missing), and staff can reclassify. The same holds for a refusal
 * (Konneqt Basic: incidents in production only) that depends on the unknown environment.
 */
import { checkEligibility, resolveSeverity } from "../../policy/select.js";
import type { CaseTypeId, Condition, EntitlementId, Environment, Policy, SeverityLevel } from "../../policy/types.js";
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

function applyRules(policy: Policy, input: SeverityInput, requested: Requested): SeverityChoice {
  const facts = { caseType: input.caseType, environment: input.environment, entitlements: input.entitlements };
  let id = requested.level.id;
  const whys: string[] = [];
  // Each downgrade may break another rule; validation rejects cycles, the bound is a second guard.
  for (let step = 0; step <= policy.severities.length; step++) {
    const result = checkEligibility(policy, { ...facts, severity: id });
    if (result.ok) break;
    const source = whys.length > 0 ? "downgrade" : requested.source;
    const sofar = whys.length > 0 ? { requested: requested.level.id } : {};
    if (result.undetermined) {
      // Not the rule's own reason: it announces the downgrade we are not making.
      const envs = (result.rule.requires.environments ?? []).join(" or ");
      const why = `This applies only to ${envs} environments and the request names no environment; ${nameOf(policy, id)} is kept until the environment is known.`;
      return { id, source, reason: join(requested.reason, ...whys, why), ...sofar, needsEnvironment: true };
    }
    const why = `${oneLine(result.rule.reason)} ${whatFailed(result.rule.requires, input)}`;
    if (result.refuse) {
      return { id, source, reason: join(requested.reason, ...whys, why), requested: requested.level.id, refused: { reason: why } };
    }
    whys.push(why);
    id = result.downgradeTo!;
  }
  if (whys.length === 0) return { id, source: requested.source, reason: requested.reason };
  return { id, source: "downgrade", reason: join(requested.reason, ...whys), requested: requested.level.id };
}

/** "The request names development." / "The organization does not hold managed-deployment." */
function whatFailed(requires: Condition, input: SeverityInput): string {
  const parts: string[] = [];
  if (requires.environments && (!input.environment || !requires.environments.includes(input.environment))) {
    parts.push(input.environment ? `The request names ${input.environment}.` : "The request names no environment.");
  }
  const lacking = (requires.entitlements ?? []).filter((e) => !input.entitlements.includes(e));
  if (lacking.length > 0) parts.push(`The organization does not hold the ${lacking.join(", ")} entitlement.`);
  return parts.join(" ");
}

const nameOf = (policy: Policy, id: string): string => policy.severities.find((s) => s.id === id)?.name ?? id;
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
