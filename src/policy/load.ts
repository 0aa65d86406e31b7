/**
 * Reads policy YAML files. `parsePolicy` is pure (text in, Policy or ValidationError out); the rest is the thin
 * file-system shell around it. Every error names the file and the field path.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { AppError, ValidationError } from "../errors.js";
import type { Policy } from "./types.js";
import { formatPath, rawPolicySchema } from "./schema.js";
import { parseLifecycleFile } from "../lifecycle/file.js";
import { crossCheck, toPolicy, type Issue } from "./validate.js";

export function parsePolicy(yamlText: string, fileName: string): Policy {
  const doc = parseDocument(yamlText, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ValidationError(fileName, doc.errors.map((e) => ({ path: "", message: `YAML syntax: ${e.message}` })));
  }
  const parsed = rawPolicySchema.safeParse(doc.toJS(), {
    error: (iss) => (iss.input === undefined ? "required field is missing" : undefined),
  });
  if (!parsed.success) {
    throw new ValidationError(fileName, parsed.error.issues.map((i): Issue => ({ path: formatPath(i.path), message: i.message })));
  }
  const policy = toPolicy(parsed.data);
  const issues = crossCheck(policy);
  if (issues.length > 0) throw new ValidationError(fileName, issues);
  return policy;
}

export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new AppError("E_POLICY_READ", `cannot read policy file ${path}: ${(cause as Error).message}`, { path }, { cause });
  }
  return withLifecycleTable(parsePolicy(text, path), path);
}

/** A policy's lifecycle file is read beside it (its path is relative to the policy file). */
function withLifecycleTable(policy: Policy, policyPath: string): Policy {
  if (!policy.lifecycle) return policy;
  const file = resolve(dirname(policyPath), policy.lifecycle.file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new AppError("E_POLICY_READ", `cannot read lifecycle file ${file} named by ${policyPath} (lifecycle.file): ${(cause as Error).message}`, { path: file }, { cause });
  }
  return { ...policy, lifecycle: { ...policy.lifecycle, table: parseLifecycleFile(text, file) } };
}

/** Every *.yaml / *.yml in the given directories, keyed by policy id; the same id twice is an error. */
export function loadPolicies(dirs: string[]): Map<string, Policy> {
  const policies = new Map<string, Policy>();
  const fileOf = new Map<string, string>();
  for (const dir of dirs) {
    for (const file of policyFilesIn(dir)) {
      const policy = loadPolicyFile(file);
      const earlier = fileOf.get(policy.id);
      if (earlier !== undefined) {
        throw new ValidationError(file, [{ path: "id", message: `policy id "${policy.id}" is already defined in ${earlier}` }]);
      }
      policies.set(policy.id, policy);
      fileOf.set(policy.id, file);
    }
  }
  return policies;
}

function policyFilesIn(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    names = readdirSync(dir);
  } catch (cause) {
    throw new AppError("E_POLICY_DIR", `cannot read policy directory ${dir}: ${(cause as Error).message}`, { dir }, { cause });
  }
  return names
    .filter((n) => /\.ya?ml$/i.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * The repository's policies/ folder. This file sits at src/policy/load.ts or dist/policy/load.js, so the
 * folder is two levels up in both layouts.
 */
export function bundledPoliciesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "policies");
}

export function loadBundledPolicies(): Map<string, Policy> {
  return loadPolicies([bundledPoliciesDir()]);
}

/** The policy catalogue every command and the worker read: the bundled policies, then those in `dirs`. */
export function loadPolicyCatalogue(dirs: readonly string[]): Map<string, Policy> {
  return loadPolicies([bundledPoliciesDir(), ...dirs]);
}
