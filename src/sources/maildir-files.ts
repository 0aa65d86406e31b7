/**
 * Maildir file-level helpers: atomic delivery, name parsing, the stable UIDVALIDITY file.
 * Maildir layout: tmp/ (being written), new/ (delivered, unread by us), cur/ (seen, with flags).
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

export const UIDVALIDITY_FILE = ".support-inbox-uidvalidity";
/** Maildir flags are single uppercase letters; "S" (seen) is our processed flag. */
export const PROCESSED_FLAG = "S";

/** Safe base names only: no dot files, no path tricks, no control characters or spaces. */
const SAFE_NAME = /^[A-Za-z0-9_\-+=.,]+(?::2,[A-Za-z]*)?$/;

/** The unique part of a Maildir file name (before ":2,flags"), or null when malformed. */
export function maildirBaseName(fileName: string): string | null {
  if (fileName.startsWith(".") || !SAFE_NAME.test(fileName)) return null;
  const base = fileName.split(":")[0] ?? "";
  return base.length > 0 ? base : null;
}

/** File name in cur/ carrying the given flag, merged with flags the name already had. */
export function withFlag(fileName: string, flag: string): string {
  const [base, info = ""] = fileName.split(":");
  const flags = new Set((info.startsWith("2,") ? info.slice(2) : "").split("").filter(Boolean));
  flags.add(flag);
  return `${base}:2,${[...flags].sort().join("")}`;
}

export async function ensureMaildir(path: string): Promise<void> {
  for (const sub of ["tmp", "new", "cur"]) await fs.mkdir(join(path, sub), { recursive: true });
}

let deliveries = 0;

/**
 * Delivers like an MDA: write into tmp/, then rename into new/ so readers never see half a file.
 * Names sort in delivery order within a process (monotonic hrtime prefix) and state the size
 * (",S=", as Dovecot writes), which tells a reader the file is complete. Returns the file name.
 */
export async function deliverToMaildir(path: string, raw: Buffer | string): Promise<string> {
  await ensureMaildir(path);
  deliveries += 1;
  const stamp = process.hrtime.bigint().toString().padStart(20, "0");
  const size = typeof raw === "string" ? Buffer.byteLength(raw) : raw.length;
  const name = `${stamp}.P${process.pid}Q${deliveries}R${randomUUID().slice(0, 8)}.${safeHost()},S=${size}`;
  const tmp = join(path, "tmp", name);
  await fs.writeFile(tmp, raw, { flag: "wx" });
  await fs.rename(tmp, join(path, "new", name));
  return name;
}

function safeHost(): string {
  return hostname().replace(/[^A-Za-z0-9-]/g, "_") || "localhost";
}

/**
 * The folder's UIDVALIDITY, created once (from the clock's seconds, like Dovecot) and kept in a
 * file: if the maildir is replaced, the value changes and the worker's cursor is known stale.
 */
export async function readOrCreateUidValidity(path: string, nowMs: number): Promise<string> {
  const file = join(path, UIDVALIDITY_FILE);
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const value = String(Math.max(1, Math.floor(nowMs / 1000)));
  const tmp = join(path, "tmp", `${UIDVALIDITY_FILE}.${randomUUID()}`);
  await fs.writeFile(tmp, value + "\n");
  try {
    await fs.link(tmp, file); // fails if another process created it first: keep theirs
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await fs.unlink(tmp);
  }
  return (await fs.readFile(file, "utf8")).trim();
}
