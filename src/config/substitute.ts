/**
 * `${VAR}` substitution in the string values of a parsed YAML tree, so secrets stay out of the file.
 * `${VAR:-fallback}` uses the fallback when VAR is unset or empty; `$${` is a literal `${`.
 * Pure: the environment is a parameter.
 */
export interface SubstitutionIssue {
  path: string;
  message: string;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

/** Renders a field path the way users read it: `mailboxes[0].imap.port`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function substituteString(value: string, path: string, env: NodeJS.ProcessEnv, issues: SubstitutionIssue[]): string {
  return value.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$${") return "${";
    if (name === undefined) {
      issues.push({ path, message: `malformed variable reference ${JSON.stringify(match)}; write \${NAME} or \${NAME:-default}` });
      return match;
    }
    const set = env[name];
    if (set !== undefined && set !== "") return set;
    if (fallback !== undefined) return fallback;
    issues.push({ path, message: `environment variable ${name} is not set (referenced as \${${name}})` });
    return match;
  });
}

/** Returns a copy of `tree` with every string substituted, plus one issue per unresolved reference. */
export function substituteEnv(tree: unknown, env: NodeJS.ProcessEnv): { value: unknown; issues: SubstitutionIssue[] } {
  const issues: SubstitutionIssue[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === "string") return substituteString(node, formatPath(path), env, issues);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(tree, []), issues };
}
