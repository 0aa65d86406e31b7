/** What every classification rule (one file per family beside this one) is given and returns. Pure. */
import type { NormalizedMessage } from "../message.js";

/** Our identity, normalised once per message: the domains of our Message-IDs and our mailbox addresses. */
export interface Ours {
  domains: ReadonlySet<string>;
  addresses: ReadonlySet<string>;
}

/** A reason a person can read when the rule matches, else null. */
export type Rule = (msg: NormalizedMessage, ours: Ours) => string | null;

export const domainOfId = (id: string): string => id.slice(id.lastIndexOf("@") + 1).toLowerCase();

/** A Message-ID we generated: its domain is one of ours or below one. */
export function isOurId(id: string, ours: Ours): boolean {
  if (!id.includes("@")) return false;
  const domain = domainOfId(id);
  return [...ours.domains].some((d) => domain === d || domain.endsWith(`.${d}`));
}
