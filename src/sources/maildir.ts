/**
 * Maildir source (the embedded default). new/ holds exactly the unprocessed mail: markProcessed
 * renames a file into cur/ with ":2,S" and quarantine into .Quarantine/cur/, so nothing is ever
 * deleted. The key's uid is the file's base name, stable across those renames.
 */
import { watch, promises as fs, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../clock/clock.js";
import {
  ensureMaildir,
  maildirBaseName,
  PROCESSED_FLAG,
  readOrCreateUidValidity,
  withFlag,
} from "./maildir-files.js";
import { checkMaxBytes } from "./byte-budget.js";
import { maildirReceivedAt } from "./maildir-received.js";
import { CompletenessTracker, readComplete, SETTLE_MS } from "./maildir-complete.js";
import { assertOwnKey, silentLogger, SourceError } from "./types.js";
import type { Cursor, FetchResult, MailSource, MessageKey, SourceLogger, SourceMessage } from "./types.js";

export { deliverToMaildir } from "./maildir-files.js";

export interface MaildirSourceOptions {
  name: string;
  path: string;
  clock: Clock;
  logger?: SourceLogger;
  /** How often waitForNew looks at new/ (fs.watch wakes it earlier where it works). */
  pollIntervalMs?: number;
  /** How long a file whose name states no size must stay unchanged before it is read (maildir-complete.ts). */
  settleMs?: number;
}

export const MAILDIR_FOLDER = "INBOX";
const QUARANTINE_DIR = ".Quarantine";

interface Entry {
  file: string;
  base: string;
  mtimeMs: number;
  /** Bytes on disk when listed; read only once complete (maildir-complete.ts). */
  size: number;
}

export class MaildirSource implements MailSource {
  readonly name: string;
  private readonly path: string;
  private readonly clock: Clock;
  private readonly log: SourceLogger;
  private readonly pollIntervalMs: number;
  private readonly warned = new Set<string>();
  /** Names seen in new/ at the last fetch, so waitForNew only wakes for really new files. */
  private known = new Set<string>();
  private readonly completeness: CompletenessTracker;

  constructor(opts: MaildirSourceOptions) {
    this.name = opts.name;
    this.path = opts.path;
    this.clock = opts.clock;
    this.log = opts.logger ?? silentLogger;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.completeness = new CompletenessTracker(opts.settleMs ?? SETTLE_MS);
  }

  /**
   * Files in new/ ordered by (mtime, name). "After the cursor" means after the cursor's file while
   * it is still in new/ (handed out, not yet marked); once it has left new/, all of new/ is
   * unprocessed and is returned. A file delivered late with an older mtime is thus delayed,
   * never skipped. `maxBytes` cuts the batch by the listed file sizes before a file is read, so
   * the bound holds for what is read into memory; a file taken by another reader meanwhile is
   * passed over and counts nothing, and so is a file still being written (maildir-complete.ts): it is
   * listed again by a later fetch.
   */
  async fetchBatch(cursor: Cursor | null, limit: number, _signal?: AbortSignal, maxBytes?: number): Promise<FetchResult> {
    checkMaxBytes(maxBytes);
    await ensureMaildir(this.path);
    const uidValidity = await readOrCreateUidValidity(this.path, this.clock.now());
    const uidValidityChanged = cursor !== null && cursor.uidValidity !== uidValidity;
    const entries = await this.listNew();
    this.known = new Set(entries.map((e) => e.file));
    this.completeness.keepOnly(this.known);
    const after = cursor && !uidValidityChanged ? entries.findIndex((e) => e.base === cursor.lastUid) + 1 : 0;
    const messages: SourceMessage[] = [];
    let bytes = 0;
    for (const entry of entries.slice(after)) {
      if (messages.length >= limit) break;
      // The same rule as prefixWithinBytes, applied while reading so a vanished file does not count.
      if (maxBytes !== undefined && messages.length > 0 && bytes + entry.size > maxBytes) break;
      const message = await this.readEntry(entry, uidValidity);
      if (message === null) continue; // still being written, or taken by another reader meanwhile
      messages.push(message);
      bytes += entry.size;
    }
    const last = messages.at(-1);
    const next = last
      ? { uidValidity, lastUid: last.key.uid }
      : { uidValidity, lastUid: cursor && !uidValidityChanged ? cursor.lastUid : "" };
    return { messages, cursor: next, uidValidityChanged };
  }

  /**
   * The entry as a message once it is complete (maildir-complete.ts); null while a writer may still be at
   * it (it is listed again later) or when it is gone. A file that cannot be read comes with `unreadable`.
   */
  private async readEntry(entry: Entry, uidValidity: string): Promise<SourceMessage | null> {
    if (!this.completeness.complete(entry, this.clock.now())) return null;
    const read = await readComplete(join(this.path, "new", entry.file), entry);
    const key = { mailbox: this.name, folder: MAILDIR_FOLDER, uidValidity, uid: entry.base };
    switch (read.kind) {
      case "read":
        return { key, raw: read.raw, receivedAt: maildirReceivedAt(entry.file, entry.mtimeMs) };
      case "unreadable":
        return { key, raw: Buffer.alloc(0), receivedAt: maildirReceivedAt(entry.file, entry.mtimeMs), unreadable: read.reason };
      case "changed":
        this.log.debug({ file: entry.file }, "file in new/ changed while being read; read again once it stays unchanged");
        this.completeness.changed(entry.file, read.size, read.mtimeMs, this.clock.now());
        return null;
      case "gone":
        return null;
    }
  }

  async markProcessed(key: MessageKey): Promise<void> {
    assertOwnKey(this.name, MAILDIR_FOLDER, key);
    const file = await this.findIn(join(this.path, "new"), key.uid);
    if (file === null) {
      if ((await this.findIn(join(this.path, "cur"), key.uid)) !== null) return; // already done
      throw notFound(this.path, key);
    }
    await fs.rename(join(this.path, "new", file), join(this.path, "cur", withFlag(file, PROCESSED_FLAG)));
  }

  /** Moves into .Quarantine/cur/ without the seen flag, so a person reading it notices. */
  async quarantine(key: MessageKey, reason: string): Promise<void> {
    assertOwnKey(this.name, MAILDIR_FOLDER, key);
    const qdir = join(this.path, QUARANTINE_DIR);
    await ensureMaildir(qdir);
    for (const sub of ["new", "cur"]) {
      const file = await this.findIn(join(this.path, sub), key.uid);
      if (file === null) continue;
      await fs.rename(join(this.path, sub, file), join(qdir, "cur", `${key.uid}:2,`));
      this.log.warn({ uid: key.uid, reason }, "message quarantined");
      return;
    }
    if ((await this.findIn(join(qdir, "cur"), key.uid)) !== null) return; // already quarantined
    throw notFound(this.path, key);
  }

  /** Polls new/ on the clock; fs.watch (when the platform offers it) wakes the poll early. */
  async waitForNew(signal: AbortSignal, timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    const wake = new AbortController();
    const onAbort = () => wake.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    let watcher: FSWatcher | null = null;
    try {
      watcher = watch(join(this.path, "new"), () => wake.abort());
      watcher.on("error", () => {}); // polling still covers us
    } catch {
      watcher = null; // no inotify here: polling alone
    }
    try {
      while (!signal.aborted) {
        const now = this.clock.now();
        // New names, and files that were still being written and have since stayed unchanged long enough.
        if ((await this.listNew()).some((e) => !this.known.has(e.file) || this.completeness.due(e, now))) return;
        const remaining = deadline - this.clock.now();
        if (remaining <= 0 || wake.signal.aborted) return;
        await this.clock.sleep(Math.min(this.pollIntervalMs, remaining), wake.signal);
      }
    } finally {
      watcher?.close();
      signal.removeEventListener("abort", onAbort);
    }
  }

  async close(): Promise<void> {}

  private async listNew(): Promise<Entry[]> {
    const dir = join(this.path, "new");
    const entries: Entry[] = [];
    for (const dirent of await fs.readdir(dir, { withFileTypes: true })) {
      const base = dirent.isFile() ? maildirBaseName(dirent.name) : null;
      if (base === null) {
        this.warnOnce(dirent.name);
        continue;
      }
      const stat = await fs.stat(join(dir, dirent.name)).catch(() => null);
      if (stat) entries.push({ file: dirent.name, base, mtimeMs: stat.mtimeMs, size: stat.size });
    }
    return entries.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  private async findIn(dir: string, base: string): Promise<string | null> {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    return names.find((n) => maildirBaseName(n) === base) ?? null;
  }

  private warnOnce(file: string): void {
    if (this.warned.has(file)) return;
    this.warned.add(file);
    this.log.warn({ file }, "ignoring entry in new/ that is not a Maildir message file");
  }
}

function notFound(path: string, key: MessageKey): SourceError {
  return new SourceError(
    "E_SOURCE_MESSAGE_NOT_FOUND",
    `Maildir ${path}: message ${key.uid} is in neither new/ nor cur/ (moved or deleted by someone else?)`,
    false,
    { key },
  );
}
