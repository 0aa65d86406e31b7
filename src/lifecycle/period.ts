/**
 * The support period a version is in on a given day, and the versions still supported (pure).
 * EOMS is the first day of Extended Support and EOL the first day without support ([001] "End of Life (EOL) –
 * end of life of the current product version and end of any support").
 */
import { DateTime } from "luxon";
import { versionMilestones, type VersionMilestones } from "./dates.js";
import type { LifecycleProduct } from "./file.js";

export type SupportPeriod = "mainstream" | "extended" | "after-eol";

export function periodOn(m: Pick<VersionMilestones, "eoms" | "eol">, day: string): SupportPeriod {
  if (m.eol !== null && day >= m.eol) return "after-eol";
  if (m.eoms !== null && day >= m.eoms) return "extended";
  return "mainstream";
}

/** The civil day of `now` in `zone` (the policy's calendar zone), YYYY-MM-DD. */
export function dayIn(now: number, zone: string): string {
  return DateTime.fromMillis(now, { zone }).toISODate()!;
}

/** "5.0 (mainstream support)", "4.3 (extended support until 2026-11-01)": the product's versions not past EOL. */
export function supportedVersions(product: LifecycleProduct, day: string): string[] {
  return product.versions
    .map((v) => versionMilestones(product, v))
    .filter((m) => periodOn(m, day) !== "after-eol" && m.ga <= day)
    .map((m) => (periodOn(m, day) === "extended" ? `${m.version} (extended support until ${m.eol})` : `${m.version} (mainstream support)`));
}
