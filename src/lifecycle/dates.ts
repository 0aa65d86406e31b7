/**
 * A version's milestones by the seed's rules (pure; [001] "Technical Support Lifecycle"). Only GA and EOS come
 * from the lifecycle file; EOMS and EOL are computed here, each with the rule that gave it:
 *  - [001] "EOMS is 1 year after EOS of this product version, but not earlier than 2 years after the start of
 *    sales of the next Major Version." The next Major Version's start of sales is the earliest GA listed for the
 *    smallest major above this one.
 *  - [001] "The whole period of support for one product version is at least 5 years unless stated otherwise in
 *    the product life cycle." The seed does not say where the period starts; we measure it from GA ("start of the
 *    new product version sales"), the first milestone, so EOL is never earlier than GA + 5 years. Extended
 *    Support stays 1 year, so this floor moves EOMS to no earlier than GA + 4 years.
 *  - [001] "Extended Support is provided for 1 year; end of Extended Support means EOL of the current product version."
 * Dates are civil days (YYYY-MM-DD); a year after 29 February is 28 February.
 */
import { DateTime } from "luxon";
import type { LifecycleProduct, LifecycleTable, LifecycleVersion } from "./file.js";

export type Milestone = "EOS" | "EOMS" | "EOL";

export interface VersionMilestones {
  product: string;
  version: string;
  major: number;
  ga: string;
  eos: string | null;
  /** null while EOS is not announced: mainstream support goes on. */
  eoms: string | null;
  eol: string | null;
  /** Why each date is what it is, in words a reader can check against the seed. */
  why: { ga: string; eos: string; eoms: string; eol: string };
}

/** [001] "EOMS is 1 year after EOS"; "Extended Support is provided for 1 year". */
const EOMS_AFTER_EOS_YEARS = 1;
const EXTENDED_SUPPORT_YEARS = 1;
/** [001] "not earlier than 2 years after the start of sales of the next Major Version". */
const AFTER_NEXT_MAJOR_YEARS = 2;

export function addYears(day: string, years: number): string {
  return DateTime.fromISO(day, { zone: "UTC" }).plus({ years }).toISODate()!;
}

export function tableMilestones(table: LifecycleTable): VersionMilestones[] {
  return table.products.flatMap((p) => p.versions.map((v) => versionMilestones(p, v)));
}

/** The start of sales of the next Major Version: the earliest GA of the smallest major above `major`, or null. */
export function nextMajorGa(product: LifecycleProduct, major: number): { major: number; ga: string } | null {
  const above = product.versions.filter((v) => v.major > major);
  if (above.length === 0) return null;
  const next = Math.min(...above.map((v) => v.major));
  const ga = above.filter((v) => v.major === next).map((v) => v.ga).sort()[0]!;
  return { major: next, ga };
}

export function versionMilestones(product: LifecycleProduct, v: LifecycleVersion): VersionMilestones {
  const base = { product: product.name, version: v.version, major: v.major, ga: v.ga, eos: v.eos };
  const why = { ga: "from the lifecycle file", eos: v.eos ? "from the lifecycle file" : "not announced" };
  const next = nextMajorGa(product, v.major);
  if (v.eos === null) {
    const floor = eomsCandidates(product, v, next).filter((c) => c.rule !== "eos");
    const earliest = floor.length > 0 ? `; it will be no earlier than ${latest(floor).day}` : "";
    return { ...base, eoms: null, eol: null, why: { ...why, eoms: `not yet: 1 year after EOS, which is not announced${earliest}`, eol: "not yet: 1 year after EOMS" } };
  }
  const chosen = latest(eomsCandidates(product, v, next));
  const eol = addYears(chosen.day, EXTENDED_SUPPORT_YEARS);
  return { ...base, eoms: chosen.day, eol, why: { ...why, eoms: chosen.text, eol: `EOMS ${chosen.day} + 1 year of Extended Support` } };
}

interface Candidate {
  rule: "eos" | "next-major" | "minimum-period";
  day: string;
  text: string;
}

function eomsCandidates(product: LifecycleProduct, v: LifecycleVersion, next: { major: number; ga: string } | null): Candidate[] {
  const out: Candidate[] = [];
  if (v.eos) out.push({ rule: "eos", day: addYears(v.eos, EOMS_AFTER_EOS_YEARS), text: `EOS ${v.eos} + 1 year` });
  if (next) {
    out.push({ rule: "next-major", day: addYears(next.ga, AFTER_NEXT_MAJOR_YEARS), text: `not earlier than 2 years after GA ${next.ga} of the next major version ${next.major}` });
  }
  const floor = product.minimumSupportYears;
  if (floor > 0) {
    const years = Math.max(floor - EXTENDED_SUPPORT_YEARS, 0);
    out.push({ rule: "minimum-period", day: addYears(v.ga, years), text: `whole support period at least ${floor} years from GA ${v.ga} (EOL no earlier than ${addYears(v.ga, floor)})` });
  }
  return out;
}

/** The latest candidate; on a tie the first listed (EOS, next major, floor) explains it. */
function latest(candidates: Candidate[]): Candidate {
  return candidates.reduce((best, c) => (c.day > best.day ? c : best));
}
