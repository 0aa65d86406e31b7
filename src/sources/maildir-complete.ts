/**
 * When a file in a Maildir's new/ is complete, so that a writer still busy with it is never read half-way.
 * Maildir writers deliver into tmp/ and rename into new/, so a file there is whole; a writer that creates
 * the file in new/ directly (a script, `cp`, a misconfigured MDA) breaks that rule. A file is read when
 *  - its name carries its size (Maildir++ ",S=<bytes>", as Dovecot and our deliverToMaildir write) and the
 *    file has that size, or
 *  - its size and mtime have stayed the same for SETTLE_MS on the source's clock (a writer pausing longer
 *    than that between two writes cannot be told from a finished one: deliver through tmp/),
 * and in both cases its size and mtime are unchanged between the listing and the end of the read.
 */
import { promises as fs } from "node:fs";

/** How long a file without ",S=" must stay unchanged before it is read: longer than a slow writer's pause. */
export const SETTLE_MS = 2_000;

/** What a listing saw of one file. */
export interface Listed {
  file: string;
  size: number;
  mtimeMs: number;
}

/** The size a Maildir++ file name states (",S=1234"), or null when it states none. */
export function sizeFromName(fileName: string): number | null {
  const m = /,S=(\d+)(?=[,:]|$)/.exec(fileName.split(":")[0] ?? "");
  return m ? Number(m[1]) : null;
}

/** Remembers since when each file in new/ has looked the same, to tell a finished file from one being written. */
export class CompletenessTracker {
  private readonly seen = new Map<string, { size: number; mtimeMs: number; since: number }>();

  constructor(private readonly settleMs: number) {}

  /** Whether `entry` may be read now; the first sight of a size and mtime starts its quiet period. */
  complete(entry: Listed, now: number): boolean {
    if (sizeFromName(entry.file) === entry.size) return true;
    const last = this.seen.get(entry.file);
    if (!last || last.size !== entry.size || last.mtimeMs !== entry.mtimeMs) {
      this.seen.set(entry.file, { size: entry.size, mtimeMs: entry.mtimeMs, since: now });
      return this.settleMs <= 0;
    }
    return now - last.since >= this.settleMs;
  }

  /** A file seen waiting whose quiet period is over by `now` (waitForNew wakes for it). */
  due(entry: Listed, now: number): boolean {
    const last = this.seen.get(entry.file);
    return last !== undefined && last.size === entry.size && last.mtimeMs === entry.mtimeMs && now - last.since >= this.settleMs;
  }

  /** Forgets files no longer in new/ (processed, quarantined, taken by another reader). */
  keepOnly(files: Set<string>): void {
    for (const file of this.seen.keys()) if (!files.has(file)) this.seen.delete(file);
  }

  /** The file changed under a read: its quiet period starts again from what the read saw. */
  changed(file: string, size: number, mtimeMs: number, now: number): void {
    this.seen.set(file, { size, mtimeMs, since: now });
  }
}

/** A read of one file: its bytes, or that it changed meanwhile, vanished, or cannot be read (and why). */
export type ReadResult =
  | { kind: "read"; raw: Buffer }
  | { kind: "changed"; size: number; mtimeMs: number }
  | { kind: "gone" }
  | { kind: "unreadable"; reason: string };

/**
 * Reads the file through one handle and checks, on that handle after the read, that it still has the size
 * and mtime the listing saw and that every byte was read: what is stored is the file as it was listed.
 */
export async function readComplete(path: string, listed: Listed): Promise<ReadResult> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, "r");
  } catch (error) {
    return openFailure(error);
  }
  try {
    const raw = await handle.readFile();
    const after = await handle.stat();
    if (after.size !== listed.size || after.mtimeMs !== listed.mtimeMs || raw.length !== listed.size) {
      return { kind: "changed", size: after.size, mtimeMs: after.mtimeMs };
    }
    return { kind: "read", raw };
  } catch (error) {
    return { kind: "unreadable", reason: `file cannot be read: ${(error as Error).message}` };
  } finally {
    await handle.close();
  }
}

function openFailure(error: unknown): ReadResult {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return { kind: "gone" }; // taken by another reader between listing and reading
  return { kind: "unreadable", reason: `file cannot be read: ${(error as Error).message}` };
}
