/**
 * Running the CLI as a user types it, in-process through main(): stdout and stderr captured, the exit code
 * returned. A workspace is a fresh working directory per describe block (the embedded PGlite database lives in
 * its ./data), or real Postgres through DATABASE_URL when TEST_DATABASE_URL is set; the environment the CLI
 * reads is cleared on the way in and restored on the way out.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import * as store from "../../src/store/index.js";
import { testDatabases, type TestDatabase } from "./db.js";

export interface CliVariant {
  name: string;
  /** The server database; undefined on PGlite. */
  postgres: TestDatabase | undefined;
  toString(): string;
}

/** PGlite always, Postgres when TEST_DATABASE_URL is set: for describe.each. */
export function cliVariants(): CliVariant[] {
  return testDatabases().map((t) => ({ name: t.name, postgres: t.name === "postgres" ? t : undefined, toString: () => t.name }));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(...args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(["node", "support-inbox", ...args]);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
    // A command that set process.exitCode must not decide the test process's own exit.
    process.exitCode = undefined;
  }
}

export interface CliWorkspace {
  /** The working directory the CLI runs in (valid once beforeAll ran). */
  readonly dir: string;
  run: typeof runCli;
  /** A connection of our own between commands, to seed or check what they stored. */
  withDb<T>(fn: (db: store.Db) => Promise<T>): Promise<T>;
}

/** The environment variables the CLI reads: cleared for each workspace so the developer's own do not leak in. */
const CLI_ENV = ["DATABASE_URL", "SUPPORT_INBOX_CONFIG", "SUPPORT_INBOX_STAFF"] as const;

/**
 * Call inside a describe block: registers the beforeAll/afterAll that make and remove the workspace.
 * `migrate` runs `support-inbox migrate` first (default true).
 */
export function useCliWorkspace(variant: CliVariant, prefix: string, opts: { migrate?: boolean } = {}): CliWorkspace {
  const saved: { cwd: string; env: Record<string, string | undefined> } = { cwd: process.cwd(), env: {} };
  let dir = "";
  beforeAll(async () => {
    saved.cwd = process.cwd();
    dir = await mkdtemp(join(tmpdir(), `si-${prefix}-`));
    process.chdir(dir);
    for (const name of CLI_ENV) {
      saved.env[name] = process.env[name];
      delete process.env[name];
    }
    if (variant.postgres) {
      await variant.postgres.open();
      process.env.DATABASE_URL = variant.postgres.options.url;
    }
    if (opts.migrate !== false) expect(await runCli("migrate")).toMatchObject({ code: 0 });
  });
  afterAll(async () => {
    process.chdir(saved.cwd);
    for (const name of CLI_ENV) {
      if (saved.env[name] === undefined) delete process.env[name];
      else process.env[name] = saved.env[name];
    }
    await variant.postgres?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    run: runCli,
    async withDb<T>(fn: (db: store.Db) => Promise<T>): Promise<T> {
      const database = await store.openDatabase(variant.postgres ? variant.postgres.options : { dataDir: join(dir, "data") });
      try {
        return await fn(database.db);
      } finally {
        await database.close();
      }
    },
  };
}
