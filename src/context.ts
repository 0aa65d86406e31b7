/**
 * Wires the application in one place: config in, everything the commands and the worker need out.
 * The embedded defaults (PGlite, Maildir, .eml outbox) are just the implementations this picks
 * when the config names no server. Commands call createContext once and close() it in `finally`.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { SystemClock, type Clock } from "./clock/clock.js";
import { loadConfig, type LoadedConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { ValidationError } from "./errors.js";
import { createLogger, type Logger } from "./log/logger.js";
import { loadPolicyCatalogue } from "./policy/load.js";
import type { Policy } from "./policy/types.js";
import { migrate, openDatabase, type Database } from "./store/database.js";

export interface AppContext {
  config: Config;
  clock: Clock;
  logger: Logger;
  database: Database;
  /** Bundled policies plus those in config.policies.dirs, by id. */
  policies: Map<string, Policy>;
  /** Closes the database; safe to call twice. */
  close(): Promise<void>;
}

export interface ContextOptions {
  clock?: Clock;
  logger?: Logger;
  /** Apply pending migrations after opening the database (`start` does). */
  migrate?: boolean;
  /** The config file, for error messages that point at it (null: embedded defaults). */
  configFile?: string | null;
  /** The worker: hold the embedded data directory and serve it to CLI commands (store/embedded-open.ts). */
  serveEmbedded?: boolean;
}

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const clock = opts.clock ?? new SystemClock();
  const logger = opts.logger ?? createLogger(config);
  const policies = loadPolicyCatalogue(config.policies.dirs);
  checkMailboxPolicies(config, policies, opts.configFile ?? null);
  await createLocalFolders(config);

  const database = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir, serve: opts.serveEmbedded });
  try {
    if (opts.migrate) await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  logger.debug({ database: database.kind, policies: [...policies.keys()] }, "context ready");

  let closed = false;
  return {
    config,
    clock,
    logger,
    database,
    policies,
    async close() {
      if (closed) return;
      closed = true;
      await database.close();
    },
  };
}

/**
 * For CLI commands other than `start` (org, contact, case…): loads the config exactly like `start`
 * (--config, SUPPORT_INBOX_CONFIG, DATABASE_URL) and logs only warnings, to stderr, so stdout
 * stays clean for the command's output and --json. Close the context in `finally`.
 */
export async function createCliContext(options: {
  configPath?: string;
  env: NodeJS.ProcessEnv;
  migrate?: boolean;
  clock?: Clock;
  /** The config already loaded by the caller (it looked at it first), so it is not read twice. */
  loaded?: LoadedConfig;
}): Promise<AppContext> {
  const { config, file } = options.loaded ?? loadConfig({ path: options.configPath, env: options.env });
  const logger = createLogger(config, { level: "warn", destination: process.stderr, pretty: false });
  return createContext(config, { logger, clock: options.clock, migrate: options.migrate, configFile: file });
}

/**
 * The policy catalogue alone, for commands that need no database (`sla due`, `calendar open`, `policy …`):
 * the config is found exactly as for every other command, so its policies.dirs count here too.
 */
export function loadCliPolicies(options: { configPath?: string; env: NodeJS.ProcessEnv; extraDirs?: string[] }): Map<string, Policy> {
  const { config } = loadConfig({ path: options.configPath, env: options.env });
  return loadPolicyCatalogue([...config.policies.dirs, ...(options.extraDirs ?? [])]);
}

/** A mailbox naming a policy that is not loaded would fail on its first message; fail at start-up instead. */
function checkMailboxPolicies(config: Config, policies: Map<string, Policy>, file: string | null): void {
  const known = [...policies.keys()].sort().join(", ");
  const issues = config.mailboxes.flatMap((m, i) =>
    policies.has(m.policy) ? [] : [{ path: `mailboxes[${i}].policy`, message: `unknown policy "${m.policy}" (loaded: ${known})` }],
  );
  if (issues.length > 0) throw new ValidationError(file ?? "(embedded defaults)", issues);
}

/** Maildir folders (new/ is where mail is delivered) and the .eml outbox, created when missing. */
async function createLocalFolders(config: Config): Promise<void> {
  for (const mailbox of config.mailboxes) {
    if (mailbox.kind !== "maildir") continue;
    for (const sub of ["new", "cur", "tmp"]) await mkdir(join(mailbox.maildir.path, sub), { recursive: true });
  }
  if (config.smtp === undefined) await mkdir(config.outboxDir, { recursive: true });
}
