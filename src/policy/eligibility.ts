/**
 * Which severity a case may have under the policy's eligibility rules (pure): the requested severity, or
 * where the downgrades lead ("Severity 1 only in production" → 2), or a refusal (Konneqt Basic: incidents in
 * production only). The one function, and the one wording of its reasons, behind a new case's severity,
 * `sla due` and the demo (which shows what intake chose).
 *
 * Unknown environment (not stated, or not recognised): a rule that fails only for want of it is not applied.
 * The seeds say which environments a severity is for ("Severity one issues are only applicable to a VANTIQ
 * production environment"), not what to do before the customer has said: downgrading a real production
 * outage because one line is missing would delay exactly the cases that matter most, the acknowledgment asks
 * for the environment, and staff can reclassify. The same holds for a refusal that depends on it.
 */
import { checkEligibility, type CaseFacts } from "./select.js";
import type { Condition, EligibilityRule, Policy } from "./types.js";

export type EligibleSeverity =
  | {
      refused: false;
      severity: string;
      /** One sentence per rule applied (or held back), in order: what the acknowledgment and `sla due` say. */
      reasons: string[];
      /** A rule for the severity reached depends on the environment, which is not known yet. */
      needsEnvironment?: true;
    }
  | { refused: true; severity: string; reasons: string[]; rule: EligibilityRule };

/** Follows downgrades until a rule holds, a rule refuses, or a rule waits for the environment. */
export function eligibleSeverity(policy: Policy, facts: CaseFacts): EligibleSeverity {
  let severity = facts.severity;
  const reasons: string[] = [];
  // Each downgrade may break another rule; validation rejects cycles, the bound is a second guard.
  for (let step = 0; step <= policy.severities.length; step++) {
    const result = checkEligibility(policy, { ...facts, severity });
    if (result.ok) break;
    if (result.undetermined) {
      reasons.push(heldBack(policy, result.rule, severity));
      return { refused: false, severity, reasons, needsEnvironment: true };
    }
    reasons.push(oneLine(`${result.rule.reason} ${whatFailed(result.rule.requires, facts)}`));
    if (result.refuse) return { refused: true, severity, reasons, rule: result.rule };
    severity = result.downgradeTo!;
  }
  return { refused: false, severity, reasons };
}

/** Not the rule's own reason: that one announces the downgrade or refusal we are not making. */
function heldBack(policy: Policy, rule: EligibilityRule, severity: string): string {
  const envs = (rule.requires.environments ?? []).join(" or ");
  const name = policy.severities.find((s) => s.id === severity)?.name ?? severity;
  return `This applies only to ${envs} environments and the request names no environment; ${name} is kept until the environment is known.`;
}

/** "The request names development." / "The organization does not hold the managed-deployment entitlement." */
function whatFailed(requires: Condition, facts: CaseFacts): string {
  const parts: string[] = [];
  if (requires.environments && (!facts.environment || !requires.environments.includes(facts.environment))) {
    parts.push(facts.environment ? `The request names ${facts.environment}.` : "The request names no environment.");
  }
  const lacking = (requires.entitlements ?? []).filter((e) => !facts.entitlements.includes(e));
  if (lacking.length > 0) parts.push(`The organization does not hold the ${lacking.join(", ")} entitlement.`);
  return parts.join(" ");
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();
