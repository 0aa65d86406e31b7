/**
 * Infotecs Premium "Emergency support – immediate reaction to critical issues" ([001]): the customer asks for it
 * in the request, and may do so "not only [for] critical issues, but also minor problems". A request whose
 * Severity field or subject holds one of the policy's emergency words is flagged; the managers are told at once
 * (src/cases/opening.ts queues the alert with the acknowledgment). Pure.
 */
import type { Policy } from "../../policy/types.js";
import type { FieldName } from "./template-labels.js";

const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** The policy's reason when the request asks for emergency support; undefined otherwise. */
export function emergencyOf(policy: Policy, fields: Partial<Record<FieldName, string>>, subject: string): string | undefined {
  const rule = policy.emergency;
  if (!rule) return undefined;
  const said = new Set([...words(fields.severity ?? ""), ...words(subject)]);
  return rule.words.some((w) => said.has(w.toLowerCase())) ? rule.reason : undefined;
}
