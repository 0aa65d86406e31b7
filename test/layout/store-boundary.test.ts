/**
 * src/store holds every query and the schema: no other file under src/ imports drizzle-orm or the schema,
 * so the core stays plain and the SQL is found in one place. The failure names each offending file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SRC = join(ROOT, "src");

/** Folders under src/ allowed to import drizzle-orm or the schema. */
const ALLOWED = ["src/store/"];

/** `from "drizzle-orm…"`, `import("drizzle-orm…")`, or any path ending in store/schema (its index or a table file). */
const FORBIDDEN = /(?:from\s+|import\s*\(\s*)["'](?:drizzle-orm(?:\/[^"']*)?|[^"']*store\/schema(?:\/[^"']*)?)["']/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("the store boundary", () => {
  it("no file under src/ outside src/store imports drizzle-orm or src/store/schema", () => {
    const offenders = tsFiles(SRC)
      .map((path) => relative(ROOT, path).split("\\").join("/"))
      .filter((file) => !ALLOWED.some((folder) => file.startsWith(folder)))
      .filter((file) => FORBIDDEN.test(readFileSync(join(ROOT, file), "utf8")));
    expect(offenders, `these files import drizzle-orm or the schema; move their queries into src/store: ${offenders.join(", ")}`).toEqual([]);
  });

  it("recognises the imports it forbids", () => {
    expect(FORBIDDEN.test(`import { eq } from "drizzle-orm";`)).toBe(true);
    expect(FORBIDDEN.test(`import type { PgTable } from "drizzle-orm/pg-core";`)).toBe(true);
    expect(FORBIDDEN.test(`import { cases } from "../store/schema/index.js";`)).toBe(true);
    expect(FORBIDDEN.test(`import { cases } from "../../store/schema/cases.js";`)).toBe(true);
    expect(FORBIDDEN.test(`import { listCases } from "../store/repos/cases.js";`)).toBe(false);
  });
});
