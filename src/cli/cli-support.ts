/**
 * What the database commands share: opening the configured database, printing tables, and checking
 * the values a user types. Mistakes become AppErrors with a message naming the flag.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { IANAZone } from "luxon";
import { createCliContext, loadCliPolicies, type AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { normalizeAddress } from "../mail/address.js";
import type { Policy } from "../policy/types.js";
import * as store from "../store/index.js";

export const out = (text: string): void => void process.stdout.write(text.endsWith("\n") ? text : text + "\n");
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Runs `fn` with the configured database. The embedded PGlite database is migrated on the way in
 * (it belongs to this installation alone); a shared Postgres is migrated only by `migrate`/`start`.
 */
export async function withDatabase<T>(command: Command, fn: (db: store.Db, ctx: AppContext) => Promise<T>): Promise<T> {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  const ctx = await createCliContext({ configPath: config, env: process.env });
  try {
    if (ctx.database.kind === "pglite") await store.migrate(ctx.database);
    return await fn(ctx.database.db, ctx);
  } catch (error) {
    if (store.isUndefinedTable(error)) {
      throw new AppError("E_NOT_MIGRATED", "the database has no support-inbox tables yet: run `support-inbox migrate` first", undefined, { cause: error });
    }
    throw error;
  } finally {
    await ctx.close();
  }
}

/** The policy catalogue under the global --config (bundled plus policies.dirs), and any `extraDirs`. */
export function policiesOf(command: Command, extraDirs: string[] = []): Map<string, Policy> {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  return loadCliPolicies({ configPath: config, env: process.env, extraDirs });
}

export function table(header: string[], rows: Array<Array<string | null | undefined>>, indent = ""): string {
  if (rows.length === 0) return `${indent}(none)`;
  const cells = [header, ...rows.map((r) => r.map((v) => v ?? "-"))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => indent + r.map((v, i) => (v ?? "").padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}

export function checkZone(zone: string | undefined): string | null {
  if (zone === undefined) return null;
  if (!IANAZone.isValidZone(zone)) throw new AppError("E_INVALID", `unknown time zone "${zone}" (use an IANA name like Europe/Paris)`);
  return zone;
}

export function checkDay(day: string | undefined, flag: string): string | null {
  if (day === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new AppError("E_INVALID", `${flag} must be a date like 2025-01-31, not "${day}"`);
  }
  return day;
}

/** A case number as typed: "12" or "#12". */
export function caseNumber(raw: string): number {
  const number = Number(raw.replace(/^#/, ""));
  if (!Number.isInteger(number) || number <= 0) throw new AppError("E_INVALID", `"${raw}" is not a case number`);
  return number;
}

export function checkEmail(email: string): string {
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email.trim())) throw new AppError("E_INVALID", `"${email}" is not an email address`);
  return normalizeAddress(email);
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new AppError("E_FILE", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`, undefined, {
      cause: error,
    });
  }
}
