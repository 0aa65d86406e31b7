/**
 * IMAP source (imapflow). Exactly-once relies on the worker: it stores effects and the cursor in
 * one transaction, then calls markProcessed. With moving on (the default), the folder only ever
 * holds unprocessed mail plus, after a crash between commit and move, mail already committed.
 * So the FIRST fetch of a session scans the whole folder (not just after the cursor) and hands
 * such leftovers out again; the worker finds their key already stored and only marks them.
 * Later fetches start after the cursor. After a UIDVALIDITY change, old UIDs mean nothing: the
 * batch restarts from UID 1 and the worker de-duplicates by Message-ID / content hash; with
 * moving on that only re-sees mail that was never marked. In flag mode, flagged mail is skipped
 * by a search on the processed keyword, so a UIDVALIDITY change re-sees nothing processed.
 */
import type { ImapFlow } from "imapflow";
import type { Clock } from "../clock/clock.js";
import type { BackoffOptions } from "./backoff.js";
import { anySignal, ImapConnection } from "./imap-connection.js";
import { assertOwnKey, silentLogger } from "./types.js";
import type { Cursor, FetchResult, MailSource, MessageKey, SourceLogger, SourceMessage } from "./types.js";

/** Keyword set on processed mail in flag mode (with \Seen). */
export const PROCESSED_KEYWORD = "$SupportInboxProcessed";

export interface ImapSourceOptions {
  /** Mailbox name in config; the `mailbox` part of every key. */
  name: string;
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password: string;
  folder?: string;
  /** Folder processed mail is moved to; null = flag \Seen + $SupportInboxProcessed instead. */
  processedFolder?: string | null;
  quarantineFolder?: string;
  /** Used when the server has no IDLE. */
  pollIntervalMs?: number;
  clock: Clock;
  logger?: SourceLogger;
  backoff?: BackoffOptions;
  random?: () => number;
}

export class ImapSource implements MailSource {
  readonly name: string;
  private readonly folder: string;
  private readonly processedFolder: string | null;
  private readonly quarantineFolder: string;
  private readonly conn: ImapConnection;
  private readonly log: SourceLogger;
  private sessionScanned = false;
  /** Highest UID seen by the last fetch, so waitForNew can tell whether mail came meanwhile. */
  private highestSeen = 0;
  private readonly created = new WeakMap<ImapFlow, Set<string>>();

  constructor(private readonly opts: ImapSourceOptions) {
    this.name = opts.name;
    this.folder = opts.folder ?? "INBOX";
    this.processedFolder = opts.processedFolder === undefined ? "Processed" : opts.processedFolder;
    this.quarantineFolder = opts.quarantineFolder ?? "Quarantine";
    this.log = opts.logger ?? silentLogger;
    this.conn = new ImapConnection({ ...opts, logger: this.log });
  }

  async fetchBatch(cursor: Cursor | null, limit: number, signal?: AbortSignal): Promise<FetchResult> {
    return this.conn.run("fetch", (client) => this.fetchWith(client, cursor, limit), signal);
  }

  private async fetchWith(client: ImapFlow, cursor: Cursor | null, limit: number): Promise<FetchResult> {
    let lock = await client.getMailboxLock(this.folder);
    try {
      // A folder already selected shows mail delivered since only after the server syncs the
      // session; NOOP makes Dovecot announce it before we SEARCH.
      await client.noop();
      if (!client.mailbox) {
        // The server closed the folder under us (Dovecot does on a UIDVALIDITY change): select it again.
        lock.release();
        lock = await client.getMailboxLock(this.folder);
      }
      const uidValidity = client.mailbox ? client.mailbox.uidValidity.toString() : "0";
      const uidValidityChanged = cursor !== null && cursor.uidValidity !== uidValidity;
      const last = cursor && !uidValidityChanged ? Number(cursor.lastUid) || 0 : 0;
      const from = this.sessionScanned ? last + 1 : 1;
      const query = this.processedFolder === null ? { unKeyword: PROCESSED_KEYWORD } : {};
      const found = (await client.search({ uid: `${from}:*`, ...query }, { uid: true })) || [];
      // "n:*" also matches the highest UID when it is below n, hence the filter.
      const uids = found.filter((uid) => uid >= from).sort((a, b) => a - b);
      this.highestSeen = uids.at(-1) ?? 0;
      const wanted = uids.slice(0, limit);
      const fetched = wanted.length
        ? await client.fetchAll(wanted, { uid: true, source: true, internalDate: true }, { uid: true })
        : [];
      const messages: SourceMessage[] = fetched
        .sort((a, b) => a.uid - b.uid)
        .map((m) => ({
          key: { mailbox: this.name, folder: this.folder, uidValidity, uid: String(m.uid) },
          raw: m.source ?? Buffer.alloc(0),
          receivedAt: m.internalDate ? new Date(m.internalDate).getTime() : null,
        }));
      this.sessionScanned = true;
      const lastUid = Math.max(last, ...messages.map((m) => Number(m.key.uid)));
      return { messages, cursor: { uidValidity, lastUid: String(lastUid) }, uidValidityChanged };
    } finally {
      lock.release();
    }
  }

  /**
   * Marks are coalesced: while one UID MOVE (or STORE) is on the wire, the keys that arrive wait and go
   * together in the next one, so a worker applying several messages at once pays one round trip for them.
   */
  markProcessed(key: MessageKey): Promise<void> {
    assertOwnKey(this.name, this.folder, key);
    return new Promise<void>((resolve, reject) => {
      this.pendingMarks.push({ key, resolve, reject });
      this.startMarking();
    });
  }

  private startMarking(): void {
    if (this.marking) return;
    this.marking = this.flushMarks().finally(() => {
      this.marking = null;
      // A mark that arrived after the loop's last look but before this line must not be left waiting.
      if (this.pendingMarks.length > 0) this.startMarking();
    });
  }

  private pendingMarks: Array<{ key: MessageKey; resolve: () => void; reject: (e: unknown) => void }> = [];
  private marking: Promise<void> | null = null;

  private async flushMarks(): Promise<void> {
    while (this.pendingMarks.length > 0) {
      const batch = this.pendingMarks.splice(0);
      try {
        await this.conn.run("markProcessed", (client) => this.markMany(client, batch.map((b) => b.key)));
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
  }

  private async markMany(client: ImapFlow, keys: MessageKey[]): Promise<void> {
    const lock = await client.getMailboxLock(this.folder);
    try {
      const current = client.mailbox ? client.mailbox.uidValidity.toString() : "";
      const stale = keys.filter((k) => k.uidValidity !== current);
      // Those UIDs name nothing reliable now; the messages come again under the new validity.
      if (stale.length) this.log.warn({ mailbox: this.name, keys: stale, uidValidity: current }, "stale UIDVALIDITY; messages left in place");
      const uids = keys.filter((k) => k.uidValidity === current).map((k) => k.uid);
      if (uids.length === 0) return;
      const range = uids.join(",");
      if (this.processedFolder === null) {
        await client.messageFlagsAdd(range, ["\\Seen", PROCESSED_KEYWORD], { uid: true });
      } else {
        await this.ensureFolder(client, this.processedFolder);
        await client.messageMove(range, this.processedFolder, { uid: true });
      }
    } finally {
      lock.release();
    }
  }

  async quarantine(key: MessageKey, reason: string): Promise<void> {
    assertOwnKey(this.name, this.folder, key);
    await this.conn.run("quarantine", async (client) => {
      await this.withMessage(client, key, async () => {
        await this.ensureFolder(client, this.quarantineFolder);
        await client.messageMove(key.uid, this.quarantineFolder, { uid: true });
      });
    });
    this.log.warn({ mailbox: this.name, uid: key.uid, folder: this.quarantineFolder, reason }, "message quarantined");
  }

  /**
   * IDLE when offered: resolves on an EXISTS that grows the folder, on timeout, on abort or when
   * the connection drops (the next fetch reconnects). Without IDLE: one poll interval of sleep.
   */
  async waitForNew(signal: AbortSignal, timeoutMs: number): Promise<void> {
    const pollMs = Math.min(this.opts.pollIntervalMs ?? 30_000, timeoutMs);
    let client: ImapFlow;
    try {
      client = await this.conn.client();
    } catch (error) {
      this.log.warn({ err: error }, "IMAP not reachable while waiting for mail; polling");
      return this.opts.clock.sleep(pollMs, signal);
    }
    if (!client.capabilities.has("IDLE")) return this.opts.clock.sleep(pollMs, signal);
    const woken = new AbortController();
    const wake = () => woken.abort();
    const onExists = (ev: { path: string; count: number; prevCount: number }) => {
      if (ev.path === this.folder && ev.count > ev.prevCount) wake();
    };
    client.on("exists", onExists);
    client.once("close", wake);
    try {
      const status = await client.status(this.folder, { uidNext: true });
      if (status && (status.uidNext ?? 0) - 1 > this.highestSeen) return; // arrived before we listened
      if (!client.mailbox || client.mailbox.path !== this.folder) await client.mailboxOpen(this.folder);
      client.idle().catch(wake); // runs until the next command; errors just end the wait
      await this.opts.clock.sleep(timeoutMs, anySignal(signal, woken.signal));
    } catch (error) {
      this.log.warn({ err: error }, "IMAP IDLE failed; the next fetch reconnects");
    } finally {
      client.off("exists", onExists);
      client.off("close", wake);
    }
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  /** Runs `op` with the folder selected, unless the key is from an older UIDVALIDITY. */
  private async withMessage(client: ImapFlow, key: MessageKey, op: () => Promise<void>): Promise<void> {
    const lock = await client.getMailboxLock(this.folder);
    try {
      const current = client.mailbox ? client.mailbox.uidValidity.toString() : "";
      if (current !== key.uidValidity) {
        // The UID names nothing reliable now; the message comes again under the new validity.
        this.log.warn({ mailbox: this.name, key, uidValidity: current }, "stale UIDVALIDITY; message left in place");
        return;
      }
      await op();
    } finally {
      lock.release();
    }
  }

  private async ensureFolder(client: ImapFlow, path: string): Promise<void> {
    const done = this.created.get(client) ?? new Set<string>();
    this.created.set(client, done);
    if (done.has(path)) return;
    await client.mailboxCreate(path);
    done.add(path);
  }
}
