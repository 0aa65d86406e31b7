/**
 * The layout rules of ARCHITECTURE.md that a reader cannot see from one file: no import cycles in src/,
 * and nothing in src/, bench/ or harness/ imports from test/ (test helpers pull in vitest, which crashes
 * a bench run outside vitest). Reads relative `import … from` / `export … from` statements as text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f).split("\\").join("/"))
    .sort();
}

/**
 * The files `file` imports by relative path, as paths from the repository root. With `values`, the
 * `import type` and `export type` lines are left out: TypeScript erases them, so they make no cycle at run time.
 */
function relativeImportsOf(file: string, text: string, values = false): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)(\s+type)?\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gms)) {
    if (values && m[1]) continue;
    const target = resolve(ROOT, dirname(file), m[2]!.replace(/\.js$/, ".ts"));
    out.push(relative(ROOT, target).split("\\").join("/"));
  }
  return out;
}

/** Every cycle of the graph (its strongly connected components of more than one file, or a self-import). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

const importsOf = (dir: string, values = false) =>
  new Map(tsFilesUnder(dir).map((f) => [f, relativeImportsOf(f, readFileSync(join(ROOT, f), "utf8"), values)] as const));

describe("layout", () => {
  it("src/ has no import cycles, type-only imports included (a cycle of types is still a tangle for a reader)", () => {
    expect(cyclesOf(importsOf("src")).map((c) => c.join(" ↔ "))).toEqual([]);
  });

  it("nothing in src/, bench/ or harness/ imports from test/", () => {
    const offenders = ["src", "bench", "harness"].flatMap((dir) =>
      [...importsOf(dir)].flatMap(([file, deps]) => deps.filter((d) => d.startsWith("test/")).map((d) => `${file} → ${d}`)),
    );
    expect(offenders).toEqual([]);
  });

  it("product code in src/ imports only from src/ (fixtures and harness stay out of dist/)", () => {
    const offenders = [...importsOf("src")]
      .filter(([file]) => !file.endsWith(".test.ts"))
      .flatMap(([file, deps]) => deps.filter((d) => !d.startsWith("src/")).map((d) => `${file} → ${d}`));
    expect(offenders).toEqual([]);
  });

  it("the checks see what they look for", () => {
    const text = 'import type { A } from "./a.js";\nimport {\n  b,\n} from "../test/support/b.js";\nexport { c } from "./c.js";';
    expect(relativeImportsOf("src/x/y.ts", text)).toEqual(["src/x/a.ts", "src/test/support/b.ts", "src/x/c.ts"]);
    expect(relativeImportsOf("bench/y.ts", text, true)).toEqual(["test/support/b.ts", "bench/c.ts"]);
    const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["d"]], ["e", ["a"]]]);
    expect(cyclesOf(graph)).toEqual([["a", "b", "c"], ["d"]]);
  });
});
