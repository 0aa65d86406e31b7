/**
 * The one look-up of a policy by id. Every command and job that names a policy (sla due, calendar open,
 * policy show, intake, the SLA refresh, contracts) fails the same way when it is missing. Pure.
 */
import { AppError } from "../errors.js";
import type { Policy } from "./types.js";

/**
 * The policy with this id, or E_POLICY_UNKNOWN naming the loaded ones. `usedBy` names who refers to the id
 * (`case #12`, `organization "Acme"`) when the id comes from stored data rather than from the user.
 */
export function requirePolicy(policies: ReadonlyMap<string, Policy>, id: string, usedBy?: string): Policy {
  const policy = policies.get(id);
  if (policy) return policy;
  const known = [...policies.keys()].join(", ") || "none";
  const what = usedBy === undefined ? `no policy "${id}"` : `${usedBy} uses policy "${id}", which is not loaded`;
  throw new AppError(
    "E_POLICY_UNKNOWN",
    `${what}; known policies: ${known} (the bundled ones plus the directories under policies.dirs in the config)`,
    { policyId: id, ...(usedBy === undefined ? {} : { usedBy }) },
  );
}
