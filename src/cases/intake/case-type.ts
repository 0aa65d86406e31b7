/**
 * Which of the policy's case types a request is (pure): the template's "Case type" field, else a subject
 * tag ("[Query]", "RFE:"), else the policy's default. Konneqt's seed asks customers to "Correctly classify
 * the issue as an Incident, Query, Security Report Analysis, Service Request, or another applicable category".
 */
import type { CaseTypeId, Policy } from "../../policy/types.js";
import type { FieldName } from "./template-labels.js";
import { stripReplyPrefixes } from "../../mail/subject.js";

export interface CaseTypeChoice {
  id: CaseTypeId;
  source: "field" | "subject" | "default";
  reason: string;
}

/** Words customers use, longest first so "security report analysis" wins over "security". */
const CASE_TYPE_WORDS: Array<[RegExp, CaseTypeId]> = [
  [/\bsecurity\s+report(\s+analysis)?\b|\bvulnerability\s+(report|scan)\b|\bsecurity\b/i, "security-report"],
  [/\bservice\s+request\b/i, "service-request"],
  [/\bchange\s+request\b/i, "change-request"],
  [/\b(rfe|feature\s+request|enhancement(\s+request)?|request\s+for\s+enhancement)\b/i, "rfe"],
  [/\b(query|queries|question|general\s+questions?|how[\s-]?to|inquiry|enquiry)\b/i, "query"],
  [/\b(incident|bug|defect|outage|problem|failure|error)\b/i, "incident"],
];

/** The case type a piece of text names, or null. */
export function caseTypeOf(text: string): CaseTypeId | null {
  for (const [re, id] of CASE_TYPE_WORDS) if (re.test(text)) return id;
  return null;
}

export function chooseCaseType(policy: Policy, fields: Partial<Record<FieldName, string>>, subject: string): CaseTypeChoice {
  const notes: string[] = [];
  const value = fields.caseType;
  if (value !== undefined) {
    const id = caseTypeOf(value);
    if (id && policy.caseTypes.includes(id)) return { id, source: "field", reason: `From the case type field ("${value}").` };
    notes.push(
      id
        ? `The case type field names ${id}, which ${policy.name} does not offer.`
        : `The case type field ("${value}") names no case type.`,
    );
  }
  const tag = subjectCaseTypeTag(subject);
  if (tag) {
    const id = caseTypeOf(tag);
    if (id && policy.caseTypes.includes(id)) return { id, source: "subject", reason: [...notes, `From the subject tag "${tag}".`].join(" ") };
  }
  return { id: policy.defaultCaseType, source: "default", reason: [...notes, `The policy's default case type, ${policy.defaultCaseType}.`].join(" ") };
}

/** "[Query] …", "(RFE) …" anywhere, or "Service request: …" at the start. */
function subjectCaseTypeTag(subject: string): string | null {
  const s = stripReplyPrefixes(subject);
  const bracketed = /[[(]\s*([a-z][a-z ]{1,30}?)\s*[\])]/gi;
  for (const m of s.matchAll(bracketed)) if (caseTypeOf(m[1]!)) return m[1]!;
  const leading = /^([a-z][a-z ]{1,30}?)\s*:/i.exec(s);
  return leading && caseTypeOf(leading[1]!) ? leading[1]! : null;
}
