/**
 * An organization's contract: service levels agreed with that customer, in the same YAML form as a
 * policy's `serviceLevels`. They come before the policy's own, so they add targets where the policy has
 * none (Infotecs sets response times "in the Agreement") and replace the policy's where both match.
 * Pure: text in, ServiceLevel[] or a ValidationError naming the file and field out.
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { ValidationError } from "../errors.js";
import { formatPath, rawPolicySchema } from "./schema.js";
import type { Policy, ServiceLevel } from "./types.js";
import { crossCheck, toServiceLevels } from "./validate.js";

const contractSchema = z.strictObject({ serviceLevels: rawPolicySchema.shape.serviceLevels.unwrap().min(1) });

export function parseContract(yamlText: string, fileName: string, policy: Policy): ServiceLevel[] {
  const doc = parseDocument(yamlText, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ValidationError(fileName, doc.errors.map((e) => ({ path: "", message: `YAML syntax: ${e.message}` })));
  }
  const parsed = contractSchema.safeParse(doc.toJS(), {
    error: (iss) => (iss.input === undefined ? "required field is missing" : undefined),
  });
  if (!parsed.success) {
    throw new ValidationError(fileName, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  const levels = toServiceLevels(parsed.data.serviceLevels);
  // Checked as part of the policy they extend: case types, severities and conditions must be the policy's.
  const issues = crossCheck(withContract(policy, levels)).filter((i) => {
    const index = /^serviceLevels\[(\d+)\]/.exec(i.path);
    return index !== null && Number(index[1]) < levels.length;
  });
  if (issues.length > 0) throw new ValidationError(fileName, issues);
  return levels;
}

const derived = new Map<string, Policy>();

/** The policy as it applies to one organization; the same contract gives back the same object. */
export function withContract(policy: Policy, contract: readonly ServiceLevel[] | null | undefined): Policy {
  if (!contract || contract.length === 0) return policy;
  const key = `${policy.id}\u0000${JSON.stringify(contract)}`;
  let found = derived.get(key);
  if (!found || found.calendar !== policy.calendar) {
    found = { ...policy, serviceLevels: [...contract, ...policy.serviceLevels] };
    derived.set(key, found);
  }
  return found;
}
