/**
 * Tokens from a program of the operator's (a vault agent, `gcloud auth print-access-token`, a script
 * for another provider). It runs without a shell and prints either the bare token, or JSON with
 * `access_token` and `expires_in` (seconds), the token endpoint's own answer passed through.
 */
import { execFile } from "node:child_process";
import type { Clock } from "../clock/clock.js";
import { OAuthError, scrubSecrets, type AccessToken, type TokenProvider } from "./token.js";

export interface CommandOptions {
  /** Program and arguments. */
  command: string[];
  timeoutSeconds: number;
  /** How long a bare token (no expires_in) is used before the program runs again. */
  tokenLifetimeSeconds: number;
  clock: Clock;
}

export function commandProvider(opts: CommandOptions): TokenProvider {
  const [program, ...args] = opts.command;
  const describe = `command ${program}`;
  return {
    describe,
    async fetch(): Promise<AccessToken> {
      const startedAt = opts.clock.now();
      const stdout = await run(program!, args, opts.timeoutSeconds, describe);
      return parseTokenOutput(stdout, startedAt, opts.tokenLifetimeSeconds, describe);
    },
  };
}

function run(program: string, args: string[], timeoutSeconds: number, describe: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: timeoutSeconds * 1000, maxBuffer: 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      const why = e.killed
        ? `did not finish within ${timeoutSeconds} s`
        : typeof e.code === "number"
          ? `exited with ${e.code}${stderr.trim() ? `: ${stderr.trim().split(/\r?\n/).slice(-1)[0]}` : ""}`
          : `could not be started: ${e.message}`;
      // A program that fails is asked again later (a vault restarting); one that is missing stays missing.
      const retryable = e.killed === true || typeof e.code === "number";
      reject(new OAuthError(retryable ? "E_OAUTH_UNAVAILABLE" : "E_OAUTH_REFUSED", `${describe} ${scrubSecrets(why, stdout.trim())}`, retryable, { provider: "command" }));
    });
  });
}

/** Pure: the program's output → a token and its expiry (`now` is when the program started). */
export function parseTokenOutput(stdout: string, now: number, lifetimeSeconds: number, describe = "command"): AccessToken {
  const text = stdout.trim();
  if (text.startsWith("{")) {
    let json: { access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new OAuthError("E_OAUTH_REFUSED", `${describe} printed something that starts like JSON but is not`, false);
    }
    if (typeof json.access_token !== "string" || !json.access_token) {
      throw new OAuthError("E_OAUTH_REFUSED", `${describe} printed JSON without an "access_token"`, false);
    }
    const seconds = Number(json.expires_in ?? lifetimeSeconds);
    return { token: json.access_token, expiresAt: now + (Number.isFinite(seconds) && seconds > 0 ? seconds : lifetimeSeconds) * 1000 };
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  if (lines.length !== 1 || /\s/.test(lines[0]!.trim())) {
    throw new OAuthError("E_OAUTH_REFUSED", `${describe} must print one token (or JSON with access_token), printed ${lines.length} line(s)`, false);
  }
  return { token: lines[0]!.trim(), expiresAt: now + lifetimeSeconds * 1000 };
}
