/**
 * Turns zod issues into the one-line messages the CLI prints after the file name and field path:
 * "expected a number, got the string \"abc\"" rather than zod's generic "Invalid input".
 */
import type { z } from "zod";
import { formatPath } from "./substitute.js";

export interface ConfigIssue {
  path: string;
  message: string;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  return `${typeof value} ${String(value)}`;
}

function article(type: string): string {
  if (type === "object") return "a mapping";
  if (type === "array") return "a list";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function messageFor(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return `is required (expected ${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${describe(value)}`;
    case "invalid_union":
      {
        // Discriminated unions report the discriminator and its options (not in zod's issue type).
        const { discriminator, options } = issue as unknown as { discriminator?: unknown; options?: unknown };
        if (typeof discriminator === "string" && Array.isArray(options)) {
          const expected = options.map((o) => JSON.stringify(o)).join(" or ");
          return value === undefined ? `is required (one of ${expected})` : `unknown ${discriminator} ${JSON.stringify(value)}; expected ${expected}`;
        }
      }
      return issue.message;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(value)}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")} (check the spelling against support-inbox.example.yaml)`;
    default:
      return issue.message;
  }
}

export function toConfigIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: messageFor(issue, input) }));
}
