/**
 * The product lifecycle file (YAML, zod like a policy): products, their versions, each version's GA and, when
 * announced, its EOS. Nothing else is typed in: EOMS and EOL are computed by the seed's rules (dates.ts).
 * Pure: text in, a LifecycleTable or a ValidationError naming the file and the field out.
 *
 *   minimumSupportYears: 5          # optional; [001] "at least 5 years unless stated otherwise in the product life cycle"
 *   products:
 *     - name: ViPNet Client
 *       aliases: [vipnet client for windows]
 *       minimumSupportYears: 5      # optional, per product
 *       versions:
 *         - { version: "4.3", ga: 2019-04-15, eos: 2024-06-28 }
 *         - { version: "5.0", ga: 2023-11-01 }            # still on sale: no EOS yet
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { parseIsoDate } from "../calendar/civil.js";
import { ValidationError } from "../errors.js";
import { formatPath } from "../policy/schema.js";
import type { LifecycleProduct, LifecycleTable } from "./types.js";

export type { LifecycleProduct, LifecycleTable, LifecycleVersion } from "./types.js";

/** [001] "The whole period of support for one product version is at least 5 years unless stated otherwise in the product life cycle." */
export const DEFAULT_MINIMUM_SUPPORT_YEARS = 5;

const day = z
  .union([z.string(), z.date()])
  .transform((v) => (typeof v === "string" ? v.trim() : v.toISOString().slice(0, 10)))
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && parseIsoDate(v) !== undefined, "write a date as YYYY-MM-DD");
// YAML reads 4.5 as a number and 5.0 as 5: quote versions; a number is kept only when it reads back the same.
const versionText = z.union([z.string().regex(/^\d+(\.\d+)*$/, 'a version is numbers joined by dots, e.g. "4.5"'), z.number()]).transform(String);
const years = z.number().int().min(0, "0 (no floor) or more years");

const fileSchema = z.strictObject({
  minimumSupportYears: years.optional(),
  products: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        aliases: z.array(z.string().min(1)).default([]),
        minimumSupportYears: years.optional(),
        versions: z
          .array(z.strictObject({ version: versionText, major: z.number().int().min(0).optional(), ga: day, eos: day.nullable().optional() }))
          .min(1),
      }),
    )
    .min(1),
});

export function parseLifecycleFile(text: string, fileName: string): LifecycleTable {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ValidationError(fileName, doc.errors.map((e) => ({ path: "", message: `YAML syntax: ${e.message}` })));
  const parsed = fileSchema.safeParse(doc.toJS(), { error: (iss) => (iss.input === undefined ? "required field is missing" : undefined) });
  if (!parsed.success) throw new ValidationError(fileName, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  const fileFloor = parsed.data.minimumSupportYears ?? DEFAULT_MINIMUM_SUPPORT_YEARS;
  const products = parsed.data.products.map((p) => ({
    name: p.name,
    aliases: p.aliases,
    minimumSupportYears: p.minimumSupportYears ?? fileFloor,
    versions: p.versions.map((v) => ({ version: v.version, major: v.major ?? Number(v.version.split(".")[0]), ga: v.ga, eos: v.eos ?? null })),
  }));
  const issues = crossIssues(products);
  if (issues.length > 0) throw new ValidationError(fileName, issues);
  return { file: fileName, products };
}

/** A product named twice, a version listed twice, an EOS before its GA. */
function crossIssues(products: LifecycleProduct[]): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const names = new Map<string, number>();
  products.forEach((p, i) => {
    for (const n of [p.name, ...p.aliases]) {
      const key = productKey(n);
      const earlier = names.get(key);
      if (earlier !== undefined && earlier !== i) issues.push({ path: `products[${i}].name`, message: `"${n}" already names products[${earlier}]` });
      names.set(key, i);
    }
    const seen = new Set<string>();
    p.versions.forEach((v, j) => {
      if (seen.has(v.version)) issues.push({ path: `products[${i}].versions[${j}].version`, message: `version ${v.version} of ${p.name} is listed twice` });
      seen.add(v.version);
      if (v.eos !== null && v.eos < v.ga) issues.push({ path: `products[${i}].versions[${j}].eos`, message: `EOS ${v.eos} is before GA ${v.ga}` });
    });
  });
  return issues;
}

/** How product names compare: case, spacing and dashes do not matter ("ViPNet  client" = "vipnet-client"). */
export function productKey(name: string): string {
  return name.toLowerCase().replace(/[\s\-_]+/g, " ").trim();
}
