/**
 * The only place that reads the environment: finds the config file, substitutes ${ENV} references,
 * applies DATABASE_URL and validates everything into a typed Config. Callers pass process.env.
 * Relative paths in the config (dataDir, maildir paths, outboxDir…) are relative to the working directory.
 */
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { AppError, ValidationError } from "../errors.js";
import { toConfigIssues } from "./issues.js";
import { configSchema, type Config } from "./schema.js";
import { substituteEnv } from "./substitute.js";

export const DEFAULT_CONFIG_FILE = "./support-inbox.yaml";

export interface LoadConfigOptions {
  /** `--config`; beats SUPPORT_INBOX_CONFIG, which beats ./support-inbox.yaml. */
  path?: string;
  env: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  config: Config;
  /** The file read, or null when none exists and everything comes from the embedded defaults. */
  file: string | null;
  /** Which parts run on the embedded defaults, so `start` can say so. */
  embedded: { database: boolean; mailbox: boolean; outbox: boolean };
}

function readOptional(file: string, explicit: boolean): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !explicit) return null;
    if (code === "ENOENT") {
      throw new AppError("E_CONFIG_MISSING", `config file ${file} does not exist (given with --config or SUPPORT_INBOX_CONFIG)`, { file });
    }
    throw new AppError("E_CONFIG_UNREADABLE", `cannot read config file ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
}

function parseYaml(file: string, text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ValidationError(
      file,
      doc.errors.map((e) => ({ path: "", message: `YAML syntax error at line ${e.linePos?.[0]?.line ?? "?"}: ${e.message.split(" at line ")[0]}` })),
    );
  }
  const tree: unknown = doc.toJS();
  if (tree === null || tree === undefined) return {};
  if (typeof tree !== "object" || Array.isArray(tree)) {
    throw new ValidationError(file, [{ path: "", message: "expected a mapping of settings at the top level" }]);
  }
  return tree;
}

/** Reads, substitutes and validates the config; throws AppError / ValidationError naming the file. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const explicit = options.path ?? (options.env.SUPPORT_INBOX_CONFIG || undefined);
  const file = explicit ?? DEFAULT_CONFIG_FILE;
  const text = readOptional(file, explicit !== undefined);
  const label = text === null ? "(embedded defaults)" : file;

  const raw = text === null ? {} : parseYaml(file, text);
  const { value, issues } = substituteEnv(raw, options.env);
  if (issues.length > 0) throw new ValidationError(label, issues);

  const withEnv = applyEnvOverrides(value as Record<string, unknown>, options.env);
  const parsed = configSchema.safeParse(withEnv);
  if (!parsed.success) throw new ValidationError(label, toConfigIssues(parsed.error, withEnv));

  const config = parsed.data;
  const given = withEnv as { mailboxes?: unknown };
  return {
    config,
    file: text === null ? null : file,
    embedded: {
      database: config.database.url === undefined,
      mailbox: given.mailboxes === undefined,
      outbox: config.smtp === undefined,
    },
  };
}

/** DATABASE_URL wins over database.url, as twelve-factor deployments expect; SUPPORT_INBOX_STAFF over cli.staff. */
function applyEnvOverrides(tree: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const withStaff = env.SUPPORT_INBOX_STAFF ? { ...tree, cli: { ...section(tree.cli), staff: env.SUPPORT_INBOX_STAFF } } : tree;
  const url = env.DATABASE_URL;
  if (!url) return withStaff;
  return { ...withStaff, database: { ...section(tree.database), url } };
}

const section = (value: unknown): object => (value !== null && typeof value === "object" && !Array.isArray(value) ? value : {});
