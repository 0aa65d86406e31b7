/**
 * IMAP source (imapflow). Exactly-once relies on the worker: it stores effects and the cursor in
 * one transaction, then calls markProcessed. With moving on (the default), the folder only ever
 * holds unprocessed mail plus, after a crash between commit and move, mail already committed.
 * So the FIRST fetch of a session scans the whole folder (not just after the cursor) and hands
 * such leftovers out again; the worker finds their key already stored and only marks them.
 * When `limit` or `maxBytes` cuts that scan short of the cursor, the next fetch goes on after the
 * last leftover handed out. Later fetches start after the cursor. After a UIDVALIDITY change, old
 * UIDs mean nothing: the batch restarts from UID 1 and the worker de-duplicates by Message-ID /
 * content hash; with moving on that only re-sees mail that was never marked. In flag mode, flagged
 * mail is skipped by a search on the processed keyword, so a UIDVALIDITY change re-sees nothing
 * processed.
 */
import type { ImapFlow } from "imapflow";
import type { Clock } from "../clock/clock.js";
import type { BackoffOptions } from "../clock/backoff.js";
import type { OAuth2Login } from "../auth/token.js";
import { boundsBytes, checkMaxBytes, prefixWithinBytes } from "./byte-budget.js";
import { CoalescedBatches } from "./coalesced-batches.js";
import { anySignal, ImapConnection } from "./imap-connection.js";
import { assertOwnKey, silentLogger, SourceError } from "./types.js";
import type { Cursor, FetchResult, MailSource, MessageKey, SourceLogger, SourceMessage } from "./types.js";

/** Keyword set on processed mail in flag mode (with \Seen). */
export const PROCESSED_KEYWORD = "$SupportInboxProcessed";

/** Candidates whose sizes one size query asks for (about 45 bytes of answer each). */
const SIZE_LOOKAHEAD = 1000;

export interface ImapSourceOptions {
  /** Mailbox name in config; the `mailbox` part of every key. */
  name: string;
  host: string;
  port: number;
  tls: boolean;
  user: string;
  /** Unused when `oauth2` is given. */
  password?: string;
  oauth2?: OAuth2Login;
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
  /** Told each time the session is opened again after the first (imap-connection.ts). */
  onReconnect?: () => void;
}

export class ImapSource implements MailSource {
  readonly name: string;
  private readonly folder: string;
  private readonly processedFolder: string | null;
  private readonly quarantineFolder: string;
  private readonly conn: ImapConnection;
  private readonly log: SourceLogger;
  /**
   * The session's first scan (from UID 1, see the top) while it has not yet reached the cursor:
   * it goes on after `after`. null once it has; then fetches start after the cursor.
   */
  private scan: { uidValidity: string | null; after: number } | null = { uidValidity: null, after: 0 };
  /**
   * The last SEARCH: on which connection, and the highest UID it found. Lets a fetch skip the NOOP
   * while a backlog is known, and waitForNew tell whether mail came meanwhile.
   */
  private lastSearch: { client: ImapFlow | null; uidValidity: string; highest: number } = { client: null, uidValidity: "", highest: 0 };
  /** RFC822.SIZE of the candidates last asked about (at most SIZE_LOOKAHEAD), see withinBytes. */
  private sizes: { uidValidity: string; byUid: Map<number, number> } = { uidValidity: "", byUid: new Map() };
  private readonly created = new WeakMap<ImapFlow, Set<string>>();

  constructor(private readonly opts: ImapSourceOptions) {
    this.name = opts.name;
    this.folder = opts.folder ?? "INBOX";
    this.processedFolder = opts.processedFolder === undefined ? "Processed" : opts.processedFolder;
    this.quarantineFolder = opts.quarantineFolder ?? "Quarantine";
    this.log = opts.logger ?? silentLogger;
    this.conn = new ImapConnection({ ...opts, logger: this.log });
  }

  async fetchBatch(cursor: Cursor | null, limit: number, signal?: AbortSignal, maxBytes?: number): Promise<FetchResult> {
    checkMaxBytes(maxBytes);
    return this.conn.run("fetch", (client) => this.fetchWith(client, cursor, limit, maxBytes), signal);
  }

  /** NOOP? → UID SEARCH → (UID FETCH RFC822.SIZE, only with a byte bound) → UID FETCH BODY.PEEK[]. */
  private async fetchWith(client: ImapFlow, cursor: Cursor | null, limit: number, maxBytes: number | undefined): Promise<FetchResult> {
    let lock = await client.getMailboxLock(this.folder);
    try {
      let at = this.position(client, cursor);
      // A folder already selected shows mail delivered since only after the server syncs the
      // session; NOOP makes Dovecot announce it before we SEARCH. That round trip is skipped while
      // the last SEARCH on this connection already found mail from `from` on (a backlog): the batch
      // has work without it, and new mail, with higher UIDs, would come after that backlog anyway.
      // An empty answer is only ever given after a NOOP, so the worker never waits with mail waiting.
      let uids = this.knowsMailFrom(client, at) ? await this.searchFrom(client, at.from) : [];
      if (uids.length === 0) {
        await client.noop();
        if (!client.mailbox) {
          // The server closed the folder under us (Dovecot does on a UIDVALIDITY change): select it again.
          lock.release();
          lock = await client.getMailboxLock(this.folder);
        }
        at = this.position(client, cursor);
        uids = await this.searchFrom(client, at.from);
      }
      // An empty answer still covers every UID below `from`: counted as 0, waitForNew took any UID the
      // folder ever gave for new mail and returned at once, so the worker drained in a busy loop.
      this.lastSearch = { client, uidValidity: at.uidValidity, highest: uids.at(-1) ?? at.from - 1 };
      const chosen = await this.withinBytes(client, at.uidValidity, uids, limit, maxBytes);
      const fetched = chosen.length
        ? await client.fetchAll(chosen, { uid: true, source: true, internalDate: true }, { uid: true })
        : [];
      const messages: SourceMessage[] = fetched
        .sort((a, b) => a.uid - b.uid)
        .map((m) => ({
          key: { mailbox: this.name, folder: this.folder, uidValidity: at.uidValidity, uid: String(m.uid) },
          raw: m.source ?? Buffer.alloc(0),
          receivedAt: m.internalDate ? new Date(m.internalDate).getTime() : null,
        }));
      const top = messages.length ? Number(messages.at(-1)!.key.uid) : 0;
      // The session's scan is over once it has reached the cursor; until then it resumes after
      // what it handed out, so leftovers cut off by `limit` or `maxBytes` are not passed over.
      this.scan = messages.length > 0 && top < at.last ? { uidValidity: at.uidValidity, after: top } : null;
      const lastUid = Math.max(at.last, top);
      return { messages, cursor: { uidValidity: at.uidValidity, lastUid: String(lastUid) }, uidValidityChanged: at.uidValidityChanged };
    } finally {
      lock.release();
    }
  }

  /** Where this fetch starts: after the cursor, or within the session's first scan (see the top). */
  private position(client: ImapFlow, cursor: Cursor | null) {
    const uidValidity = client.mailbox ? client.mailbox.uidValidity.toString() : "0";
    const uidValidityChanged = cursor !== null && cursor.uidValidity !== uidValidity;
    const last = cursor && !uidValidityChanged ? Number(cursor.lastUid) || 0 : 0;
    // min(): a caller retrying from an older cursor gets its messages again, as outside the scan.
    const scanned = this.scan === null ? last : this.scan.uidValidity === uidValidity ? Math.min(this.scan.after, last) : 0;
    return { uidValidity, uidValidityChanged, last, from: scanned + 1 };
  }

  private knowsMailFrom(client: ImapFlow, at: { uidValidity: string; from: number }): boolean {
    const seen = this.lastSearch;
    return seen.client === client && client.mailbox !== false && seen.uidValidity === at.uidValidity && seen.highest >= at.from;
  }

  /** Candidate UIDs from `from` on, ascending (flag mode: not yet flagged processed). */
  private async searchFrom(client: ImapFlow, from: number): Promise<number[]> {
    const query = this.processedFolder === null ? { unKeyword: PROCESSED_KEYWORD } : {};
    const found = await client.search({ uid: `${from}:*`, ...query }, { uid: true });
    if (!Array.isArray(found)) throw this.searchFailed();
    // "n:*" also matches the highest UID when it is below n, hence the filter.
    return found.filter((uid) => uid >= from).sort((a, b) => a - b);
  }

  /**
   * imapflow answers a SEARCH without a result, instead of throwing, when the connection is closing
   * (a BYE read before the socket closes), the folder was deselected, or the server refused it; its
   * NOOP swallows errors too. Read as "no mail", that would end the worker's drain with mail waiting.
   * The cases cannot be told apart reliably mid-shutdown, so the attempt fails as retryable and
   * run() reconnects with backoff, warning each time.
   */
  private searchFailed(): SourceError {
    const where = `IMAP ${this.opts.user}@${this.opts.host}:${this.opts.port} fetch`;
    const text = `${where}: SEARCH in ${this.folder} got no result (connection closing, folder deselected, or refused by the server)`;
    return new SourceError("E_IMAP_CONNECTION", text, true);
  }

  /**
   * The first `limit` candidates, cut to the prefix within maxBytes by RFC822.SIZE. The sizes come
   * in one extra round trip, only when the bound can cut, and for up to SIZE_LOOKAHEAD candidates
   * at once: a message's size never changes under one UIDVALIDITY, so while a backlog is drained
   * the following batches find theirs known and skip that round trip.
   */
  private async withinBytes(client: ImapFlow, uidValidity: string, candidates: number[], limit: number, maxBytes: number | undefined): Promise<number[]> {
    const wanted = candidates.slice(0, limit);
    if (!boundsBytes(maxBytes) || wanted.length <= 1) return wanted;
    let known = this.sizes.uidValidity === uidValidity ? this.sizes.byUid : new Map<number, number>();
    if (wanted.some((uid) => !known.has(uid))) {
      const window = candidates.slice(0, Math.max(limit, SIZE_LOOKAHEAD));
      const sized = await client.fetchAll(window, { uid: true, size: true }, { uid: true });
      known = new Map(sized.map((m) => [m.uid, m.size ?? 0]));
      this.sizes = { uidValidity, byUid: known };
    }
    // A UID without a size was expunged since the SEARCH (another client): there is nothing to fetch.
    const present = wanted.filter((uid) => known.has(uid));
    return present.slice(0, prefixWithinBytes(present.map((uid) => known.get(uid)!), maxBytes));
  }

  /**
   * Marks are coalesced: while one UID MOVE (or STORE) is on the wire, the keys that arrive wait and go
   * together in the next one, so a worker applying several messages at once pays one round trip for them.
   */
  markProcessed(key: MessageKey): Promise<void> {
    assertOwnKey(this.name, this.folder, key);
    return this.marks.submit(key);
  }

  private readonly marks = new CoalescedBatches<MessageKey>((keys) => this.conn.run("markProcessed", (client) => this.markMany(client, keys)));

  private async markMany(client: ImapFlow, keys: MessageKey[]): Promise<void> {
    const lock = await client.getMailboxLock(this.folder);
    try {
      const current = client.mailbox ? client.mailbox.uidValidity.toString() : "";
      const stale = keys.filter((k) => k.uidValidity !== current);
      // Those UIDs name nothing reliable now; the messages come again under the new validity.
      if (stale.length) this.log.warn({ keys: stale, uidValidity: current }, "stale UIDVALIDITY; messages left in place");
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
    this.log.warn({ uid: key.uid, folder: this.quarantineFolder, reason }, "message quarantined");
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
      if (status && (status.uidNext ?? 0) - 1 > this.lastSearch.highest) return; // arrived before we listened
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
        this.log.warn({ key, uidValidity: current }, "stale UIDVALIDITY; message left in place");
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
