/**
 * Pure look-ups others need once a policy is loaded: which severity a customer's words mean, which service
 * level applies to a case, and which eligibility rule a severity breaks (eligibility.ts follows the rules).
 */
import type { CaseTypeId, Condition, EligibilityRule, EntitlementId, Environment, Policy, ServiceLevel, SeverityLevel } from "./types.js";

export interface CaseFacts {
  caseType: CaseTypeId;
  severity: string;
  /** null/undefined: the customer has not said yet. */
  environment?: Environment | null;
  entitlements: readonly EntitlementId[];
}

export type EligibilityResult =
  | { ok: true }
  | {
      ok: false;
      rule: EligibilityRule;
      downgradeTo?: string;
      refuse?: true;
      /** The rule failed only because the environment is not known yet: ask for it rather than act for good. */
      undetermined?: true;
    };

/** "Sev-1", "S 1", "severity_1!" → "sev 1" …; the compact form ("sev1") makes "S1" and "S 1" equal. */
export function normaliseAlias(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The forms under which an alias is matched: normalised with spaces, and without. */
export function aliasKeys(text: string): string[] {
  const spaced = normaliseAlias(text);
  const compact = spaced.replace(/ /g, "");
  return spaced === compact ? [spaced] : [spaced, compact];
}

/**
 * The severity a customer's words name: its id, display name or an alias, case-insensitive, ignoring
 * punctuation and spacing. Failing an exact match, the longest alias the text starts with ("P1 - Critical",
 * "Severity 2: our build is slow"). null when nothing matches.
 */
export function resolveSeverity(policy: Policy, text: string): SeverityLevel | null {
  const spaced = normaliseAlias(text);
  if (spaced === "") return null;
  const compact = spaced.replace(/ /g, "");
  let best: { level: SeverityLevel; length: number } | null = null;
  for (const level of policy.severities) {
    for (const alias of [level.id, level.name, ...level.aliases]) {
      const a = normaliseAlias(alias);
      if (a === "") continue;
      if (a === spaced || a.replace(/ /g, "") === compact) return level;
      if (spaced.startsWith(a + " ") && (best === null || a.length > best.length)) best = { level, length: a.length };
    }
  }
  return best?.level ?? null;
}

/** A condition holds when every part it lists holds; an unknown environment satisfies no environment list. */
export function conditionHolds(c: Condition | undefined, facts: Pick<CaseFacts, "environment" | "entitlements">): boolean {
  if (!c) return true;
  if (c.entitlements && !c.entitlements.every((e) => facts.entitlements.includes(e))) return false;
  if (c.environments && (!facts.environment || !c.environments.includes(facts.environment))) return false;
  return true;
}

/** The first service level for this case type and severity whose `when` holds (variants are listed first). */
export function serviceLevelFor(policy: Policy, facts: CaseFacts): ServiceLevel | null {
  return (
    policy.serviceLevels.find(
      (l) => l.caseType === facts.caseType && (l.severity === null || l.severity === facts.severity) && conditionHolds(l.when, facts),
    ) ?? null
  );
}

/** The first eligibility rule the case breaks, with what to do instead. Apply again after a downgrade. */
export function checkEligibility(policy: Policy, facts: CaseFacts): EligibilityResult {
  for (const rule of policy.eligibility) {
    if (rule.severity !== undefined && rule.severity !== facts.severity) continue;
    if (rule.caseType !== undefined && rule.caseType !== facts.caseType) continue;
    if (conditionHolds(rule.requires, facts)) continue;
    const undetermined =
      !facts.environment && rule.requires.environments !== undefined && conditionHolds({ ...rule.requires, environments: undefined }, facts);
    const extra = undetermined ? { undetermined: true as const } : {};
    return "downgradeTo" in rule.otherwise
      ? { ok: false, rule, downgradeTo: rule.otherwise.downgradeTo, ...extra }
      : { ok: false, rule, refuse: true, ...extra };
  }
  return { ok: true };
}
