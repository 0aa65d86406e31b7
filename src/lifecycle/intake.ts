/**
 * The lifecycle intake rule (pure, called from src/cases/decide.ts): the product and version a DTC's request
 * names decide how it is handled ([001] "Technical Support Lifecycle").
 *  - Mainstream Support: normal handling.
 *  - Extended Support: [001] "During the Extended Support period, Infotecs shall release software updates, where
 *    vulnerabilities are eliminated and critical bugs are fixed. Other bugs can be fixed only under additional
 *    agreements and are subject to payment regardless of the chosen Support Plan." Vulnerabilities and critical
 *    defects (as the policy defines them) open normally; anything else opens as chargeable, or is refused when
 *    the policy says `otherRequests: refuse`.
 *  - After EOL: [001] "After the product EOL, Infotecs is not liable for the product use and its maintenance":
 *    no case; the reply names the EOL date and the versions still supported.
 *  - No product or version, or one not in the list: the case opens and the acknowledgment asks for it; a request
 *    is never refused on a guess.
 */
import type { CaseTypeId } from "../policy/types.js";
import { versionMilestones } from "./dates.js";
import { matchVersion } from "./match.js";
import { dayIn, periodOn, supportedVersions, type SupportPeriod } from "./period.js";
import type { LifecycleRules } from "./rules.js";

/** What the case (and `ingest --dry-run --json`) records of the lifecycle. */
export interface LifecycleMark {
  product: string | null;
  version: string | null;
  period: SupportPeriod | "unknown";
  eoms: string | null;
  eol: string | null;
  /** Extended Support: why the request is still covered ("critical defect", "vulnerability"). */
  covered?: string;
  /** Extended Support, not covered: opened as chargeable. */
  chargeable?: boolean;
  /** Unknown: what we could not find, and which template field the acknowledgment asks for. */
  unknown?: { field: "product" | "version"; detail: string };
}

export interface LifecycleRefusal {
  kind: "end-of-life" | "extended-support";
  product: string;
  version: string;
  eol: string | null;
  supported: string[];
  detail: string;
}

export type LifecycleOutcome = { outcome: "open"; mark: LifecycleMark } | { outcome: "refuse"; mark: LifecycleMark; refusal: LifecycleRefusal };

export interface LifecycleRequest {
  product: string | undefined;
  version: string | undefined;
  caseType: CaseTypeId;
  severity: string;
  subject: string;
  text: string;
}

/** [001] the sentence the chargeable acknowledgment quotes. */
export const EXTENDED_SUPPORT_QUOTE = "Other bugs can be fixed only under additional agreements and are subject to payment regardless of the chosen Support Plan.";

export function lifecycleIntake(rules: LifecycleRules, zone: string, req: LifecycleRequest, now: number): LifecycleOutcome | null {
  const table = rules.table;
  if (!table) return null;
  const match = matchVersion(table, req.product, req.version);
  const blank = { eoms: null, eol: null };
  switch (match.kind) {
    case "no-product":
      return { outcome: "open", mark: { product: null, version: null, period: "unknown", ...blank, unknown: { field: "product", detail: "the request names no product" } } };
    case "unknown-product": {
      const names = table.products.map((p) => p.name).join(", ");
      const detail = `"${match.written}" is not in our product list (${names})`;
      return { outcome: "open", mark: { product: match.written, version: null, period: "unknown", ...blank, unknown: { field: "product", detail } } };
    }
    case "no-version":
      return { outcome: "open", mark: { product: match.product.name, version: null, period: "unknown", ...blank, unknown: { field: "version", detail: `the request names no version of ${match.product.name}` } } };
    case "unknown-version": {
      const listed = match.product.versions.map((v) => v.version).join(", ");
      const detail = `${match.product.name} ${match.written} is not in our list of versions (${listed})`;
      return { outcome: "open", mark: { product: match.product.name, version: match.written, period: "unknown", ...blank, unknown: { field: "version", detail } } };
    }
  }
  const day = dayIn(now, zone);
  const m = versionMilestones(match.product, match.version);
  const period = periodOn(m, day);
  const mark: LifecycleMark = { product: m.product, version: m.version, period, eoms: m.eoms, eol: m.eol };
  const refusal = (kind: LifecycleRefusal["kind"], detail: string) => ({ kind, product: m.product, version: m.version, eol: m.eol, supported: supportedVersions(match.product, day), detail });
  if (period === "after-eol") {
    return { outcome: "refuse", mark, refusal: refusal("end-of-life", `${m.product} ${m.version} reached end of life on ${m.eol}`) };
  }
  if (period === "mainstream") return { outcome: "open", mark };
  const covered = extendedCover(rules, req);
  if (covered) return { outcome: "open", mark: { ...mark, covered } };
  if (rules.otherRequests === "refuse") {
    return { outcome: "refuse", mark, refusal: refusal("extended-support", `${m.product} ${m.version} is in Extended Support until ${m.eol}, which covers vulnerabilities and critical defects only`) };
  }
  return { outcome: "open", mark: { ...mark, chargeable: true } };
}

/** Why Extended Support covers the request, or null: a critical defect or a vulnerability as the policy defines them. */
function extendedCover(rules: LifecycleRules, req: LifecycleRequest): string | null {
  const { criticalDefects, vulnerabilities } = rules.extendedSupport;
  if (criticalDefects.caseTypes.includes(req.caseType) && criticalDefects.severities.includes(req.severity)) return "critical defect";
  if (vulnerabilities.caseTypes.includes(req.caseType)) return "vulnerability";
  const haystack = `${req.subject}\n${req.text}`.toLowerCase();
  const word = vulnerabilities.words.find((w) => haystack.includes(w.toLowerCase()));
  return word ? `vulnerability (the request mentions "${word}")` : null;
}
