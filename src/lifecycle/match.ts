/**
 * Which listed product version a request names (pure). The request template's Product and Version fields are
 * read as the customer wrote them: the product by name or alias (case and spacing do not matter, a longer text
 * that starts with the name also matches: "ViPNet Client for Windows"), the version as the longest listed
 * version that is a dotted prefix of the first version number written ("4.5.2" is version 4.5). Nothing is
 * guessed: no product, no version, or one not listed is reported as such.
 */
import { productKey, type LifecycleProduct, type LifecycleTable, type LifecycleVersion } from "./file.js";

export type VersionMatch =
  | { kind: "found"; product: LifecycleProduct; version: LifecycleVersion; written: string }
  | { kind: "no-product" }
  | { kind: "unknown-product"; written: string }
  | { kind: "no-version"; product: LifecycleProduct }
  | { kind: "unknown-version"; product: LifecycleProduct; written: string };

const VERSION_NUMBER = /\d+(?:\.\d+)*/;

export function matchVersion(table: LifecycleTable, productField: string | undefined, versionField: string | undefined): VersionMatch {
  const productText = productField?.trim() ?? "";
  if (productText === "") return { kind: "no-product" };
  const product = findProduct(table, productText);
  if (!product) return { kind: "unknown-product", written: productText };
  // "Product and version: ViPNet Client 4.5" puts the version in the product field.
  const written = versionField?.trim() || productKey(productText).slice(product.matchedLength).trim();
  const number = VERSION_NUMBER.exec(written)?.[0];
  if (!number) return { kind: "no-version", product: product.product };
  const version = findVersion(product.product, number);
  return version ? { kind: "found", product: product.product, version, written: number } : { kind: "unknown-version", product: product.product, written: number };
}

export function findProduct(table: LifecycleTable, text: string): { product: LifecycleProduct; matchedLength: number } | null {
  const key = productKey(text);
  let best: { product: LifecycleProduct; matchedLength: number } | null = null;
  for (const product of table.products) {
    for (const name of [product.name, ...product.aliases]) {
      const n = productKey(name);
      const fits = key === n || (key.startsWith(n) && /^[\s,;:(/v]/.test(key.slice(n.length)));
      if (fits && (!best || n.length > best.matchedLength)) best = { product, matchedLength: n.length };
    }
  }
  return best;
}

function findVersion(product: LifecycleProduct, number: string): LifecycleVersion | null {
  const fits = product.versions.filter((v) => number === v.version || number.startsWith(`${v.version}.`));
  return fits.sort((a, b) => b.version.length - a.version.length)[0] ?? null;
}
