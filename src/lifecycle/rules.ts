/** What a policy says (case types as the policy spells them; the policy schema checks them) about the product lifecycle (the `lifecycle:` block of a policy YAML), see policies/infotecs-*.yaml. */
import type { LifecycleTable } from "./types.js";

export interface LifecycleRules {
  /** The lifecycle file as the policy names it (relative to the policy file). */
  file: string;
  /** Which requests Extended Support still opens as ordinary cases. */
  extendedSupport: {
    criticalDefects: { caseTypes: string[]; severities: string[] };
    /** A vulnerability: one of these case types, or one of these words in the subject or text. */
    vulnerabilities: { caseTypes: string[]; words: string[] };
  };
  /** Any other request on an Extended Support version: opened as chargeable, or refused. */
  otherRequests: "chargeable" | "refuse";
  /** How long before EOS, EOMS and EOL the organizations using a version are told. */
  noticeMonthsAhead: number;
  /** The file's products, read by loadPolicyFile (absent when a policy is parsed from text alone). */
  table?: LifecycleTable;
}
