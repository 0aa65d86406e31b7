/**
 * Sender verification from Authentication-Results (RFC 8601). Pure.
 *
 * Only headers stamped by our own receiving server count: its authserv-id is configured,
 * anything else in the message could have been written by the sender. Our server
 * prepends its header, so the topmost matching one is used.
 * - no authservId configured → not-checked
 * - no header from our server → unverified when DKIM/SPF is required, else not-checked
 * - dmarc=fail → unverified
 * - requireDkimOrSpf and neither dkim=pass nor spf=pass → unverified
 * - otherwise verified
 */
import { headerValues, type NormalizedMessage } from "./message.js";

export type AuthVerdict = "verified" | "unverified" | "not-checked";

export interface AuthCheckOptions {
  /** authserv-id of our receiving server (e.g. "mx.vendor.example"). */
  authservId?: string;
  requireDkimOrSpf: boolean;
}

export interface AuthResult {
  verdict: AuthVerdict;
  reason: string;
}

export interface AuthResultsHeader {
  authservId: string;
  /** method → results in order ("dkim" → ["pass", "fail"]), lowercased. */
  results: Record<string, string[]>;
}

/** Removes RFC 5322 comments "(...)", nested ones included; quoted strings are kept. */
function stripComments(value: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\" && (quoted || depth > 0)) { if (depth === 0) out += c + (value[i + 1] ?? ""); i++; continue; }
    if (depth === 0 && c === '"') quoted = !quoted;
    if (!quoted && c === "(") { depth++; continue; }
    if (!quoted && c === ")" && depth > 0) { depth--; continue; }
    if (depth === 0) out += c;
  }
  return out;
}

/** Parses one header value; null when it has no authserv-id. */
export function parseAuthenticationResults(value: string): AuthResultsHeader | null {
  const parts = stripComments(value).split(";").map((p) => p.trim());
  // authserv-id may be followed by a version number ("mx.example 1").
  const authservId = (parts[0] ?? "").split(/\s+/)[0]?.toLowerCase() ?? "";
  if (authservId === "") return null;
  const results: Record<string, string[]> = {};
  for (const part of parts.slice(1)) {
    // "dkim=pass header.d=..." — the first method=result token is what counts.
    const m = /^([a-z0-9_-]+)(?:\/[0-9]+)?\s*=\s*([a-z0-9_-]+)/i.exec(part);
    if (m === null) continue;
    (results[m[1]!.toLowerCase()] ??= []).push(m[2]!.toLowerCase());
  }
  return { authservId, results };
}

export function checkSenderAuthentication(msg: Pick<NormalizedMessage, "headers">, opts: AuthCheckOptions): AuthResult {
  const wanted = opts.authservId?.trim().toLowerCase();
  if (!wanted) return { verdict: "not-checked", reason: "no authserv-id configured" };
  const ours = headerValues(msg, "authentication-results")
    .map(parseAuthenticationResults)
    .find((h): h is AuthResultsHeader => h !== null && h.authservId === wanted);
  if (ours === undefined) {
    return opts.requireDkimOrSpf
      ? { verdict: "unverified", reason: `no Authentication-Results from ${wanted}, and DKIM or SPF pass is required` }
      : { verdict: "not-checked", reason: `no Authentication-Results from ${wanted}` };
  }
  const has = (method: string, result: string) => (ours.results[method] ?? []).includes(result);
  if (has("dmarc", "fail")) return { verdict: "unverified", reason: `${wanted}: dmarc=fail` };
  if (opts.requireDkimOrSpf && !has("dkim", "pass") && !has("spf", "pass")) {
    const seen = ["dkim", "spf"].map((m) => `${m}=${(ours.results[m] ?? ["none"]).join(",")}`).join(", ");
    return { verdict: "unverified", reason: `${wanted}: no dkim=pass or spf=pass (${seen})` };
  }
  const passes = Object.entries(ours.results).filter(([, r]) => r.includes("pass")).map(([m]) => `${m}=pass`);
  return { verdict: "verified", reason: `${wanted}: ${passes.join(", ") || "no failure reported"}` };
}
