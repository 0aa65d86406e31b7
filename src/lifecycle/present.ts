/**
 * `support-inbox lifecycle show`: the lifecycle table of a policy's list, each computed date with the rule that
 * gave it, and the period each version is in on a given day (pure).
 */
import { productKey, type LifecycleTable } from "./file.js";
import { tableMilestones, type VersionMilestones } from "./dates.js";
import { findProduct } from "./match.js";
import { periodOn, type SupportPeriod } from "./period.js";

export interface LifecycleRow extends VersionMilestones {
  period: SupportPeriod;
}

/** The rows of `table` on `day`, only `product`'s when given (by name or alias); null when no product matches. */
export function lifecycleRows(table: LifecycleTable, day: string, product?: string): LifecycleRow[] | null {
  let rows = tableMilestones(table);
  if (product !== undefined) {
    const found = findProduct(table, product);
    if (!found || productKey(product) !== productKey(found.product.name) && !found.product.aliases.some((a) => productKey(a) === productKey(product))) return null;
    rows = rows.filter((r) => r.product === found.product.name);
  }
  return rows.map((r) => ({ ...r, period: periodOn(r, day) }));
}

const PERIOD_WORDS: Record<SupportPeriod, string> = { mainstream: "mainstream", extended: "extended", "after-eol": "after EOL" };

export function formatLifecycle(rows: readonly LifecycleRow[], day: string, table: (header: string[], rows: string[][]) => string): string {
  const grid = table(
    ["Product", "Version", "GA", "EOS", "EOMS", "EOL", `On ${day}`],
    rows.map((r) => [r.product, r.version, r.ga, r.eos ?? "-", r.eoms ?? "-", r.eol ?? "-", PERIOD_WORDS[r.period]]),
  );
  const why = rows.map((r) => `${r.product} ${r.version}:\n  EOMS: ${r.why.eoms}\n  EOL:  ${r.why.eol}`);
  return `${grid}\n\nHow each date was computed ([001] "Technical Support Lifecycle"):\n${why.join("\n")}\n`;
}
