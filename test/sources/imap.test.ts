import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SystemClock } from "../../src/clock/clock.js";
import { silentLogger as silent, type Cursor } from "../../src/sources/types.js";
import { fetchAll as drain } from "./fetch-all.js";
import { ImapSource, PROCESSED_KEYWORD, type ImapSourceOptions } from "../../src/sources/imap.js";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../../harness/dovecot.js";

const skip = dovecotSkipReason();
if (skip) console.warn(`Skipping IMAP source tests: ${skip}`);

let folderSeq = 0;
const mail = (n: number, extra = "") =>
  Buffer.from(
    `From: Customer <c${n}@example.com>\r\nTo: support@vendor.example\r\nSubject: request ${n}\r\n` +
      `Message-ID: <m${n}.${folderSeq}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
      `Body ${n} caf\u00e9 ${extra}\r\n`,
  );
const texts = (msgs: Array<{ raw: Buffer }>) => msgs.map((m) => m.raw.toString());
describe.skipIf(skip !== null)("ImapSource against a real Dovecot", () => {
  let dovecot: DovecotHarness;
  let folder: string;
  const sources: ImapSource[] = [];

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });
  beforeEach(() => {
    folderSeq += 1;
    folder = `Inbox${folderSeq}`; // one folder per test: tests never see each other's mail
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
  });

  const open = (extra: Partial<ImapSourceOptions> = {}) => {
    const source = new ImapSource({
      name: "support", host: dovecot.host, port: dovecot.port, tls: false, user: dovecot.user,
      password: dovecot.password, folder, processedFolder: `Processed${folderSeq}`,
      quarantineFolder: `Quarantine${folderSeq}`, clock: new SystemClock(),
      backoff: { initialMs: 50, maxMs: 400 }, ...extra,
    });
    sources.push(source);
    return source;
  };
  const appendAll = async (...ns: number[]) => {
    for (const n of ns) await dovecot.appendMessage(mail(n), folder);
  };

  it("fetches appended mail in order with raw bytes intact, then moves it to Processed", async () => {
    await appendAll(1, 2, 3);
    const source = open();
    const batch = await source.fetchBatch(null, 10);
    expect(texts(batch.messages)).toEqual(texts([1, 2, 3].map((n) => ({ raw: mail(n) }))));
    expect(batch.messages.map((m) => m.key.uid)).toEqual(["1", "2", "3"]);
    expect(batch.cursor).toEqual({ uidValidity: batch.messages[0]!.key.uidValidity, lastUid: "3" });
    expect(batch.messages[0]!.receivedAt).toEqual(expect.any(Number));
    for (const m of batch.messages) await source.markProcessed(m.key);
    await source.markProcessed(batch.messages[0]!.key); // a repeat after a crash is harmless
    expect(await dovecot.listFolder(folder)).toEqual([]);
    const processed = await dovecot.listFolder(`Processed${folderSeq}`);
    expect(processed.map((m) => m.raw.toString())).toEqual(texts(batch.messages));
  });

  it("in flag mode leaves mail in place, flagged \\Seen and processed, and skips it afterwards", async () => {
    await appendAll(1, 2);
    const source = open({ processedFolder: null });
    const batch = await source.fetchBatch(null, 10);
    await source.markProcessed(batch.messages[0]!.key);
    const listed = await dovecot.listFolder(folder);
    expect(listed.map((m) => [m.uid, m.flags.filter((f) => f !== "\\Recent")])).toEqual([
      [1, [PROCESSED_KEYWORD, "\\Seen"].sort()],
      [2, []],
    ]);
    const fresh = open({ processedFolder: null }); // a new session rescans the folder
    expect(texts((await fresh.fetchBatch(null, 10)).messages)).toEqual([mail(2).toString()]);
  });

  it("quarantine moves the message to the Quarantine folder, creating it", async () => {
    await appendAll(1, 2);
    const source = open();
    const [first] = (await source.fetchBatch(null, 10)).messages;
    await source.quarantine(first!.key, "failed 3 times: boom");
    expect((await dovecot.listFolder(folder)).map((m) => m.uid)).toEqual([2]);
    expect((await dovecot.listFolder(`Quarantine${folderSeq}`)).map((m) => m.raw.toString())).toEqual([mail(1).toString()]);
  });

  it("resumes after the cursor and respects the limit", async () => {
    await appendAll(1, 2, 3);
    const source = open();
    const first = await source.fetchBatch(null, 2);
    expect(first.messages.map((m) => m.key.uid)).toEqual(["1", "2"]);
    await appendAll(4);
    // Mail appended while a backlog is known may come one batch later (no NOOP then), never out of order.
    const rest = await drain(source, first.cursor, 10);
    expect(rest.uids).toEqual(["3", "4"]);
    expect(rest.cursor.lastUid).toBe("4");
  });

  it("never answers empty while mail is waiting: a fetch after the backlog is drained sees new mail", async () => {
    await appendAll(1, 2);
    const source = open();
    const first = await source.fetchBatch(null, 1);
    await appendAll(3); // arrives while message 2 is the known backlog
    const drained = await drain(source, first.cursor, 1);
    expect(drained.uids).toEqual(["2", "3"]);
    await appendAll(4); // the folder is still selected on the same connection
    const next = await source.fetchBatch(drained.cursor, 10);
    expect(next.messages.map((m) => m.key.uid)).toEqual(["4"]);
  });

  it("asks for new mail (NOOP) only when no backlog is known, and for sizes only with a bound and not twice", async () => {
    await appendAll(1, 2, 3, 4, 5);
    const sent: string[] = [];
    const logger = { ...silent, debug: (o: object) => void ("src" in o && o.src === "c" && "msg" in o && sent.push(String(o.msg))) };
    const source = open({ logger });
    let cursor: Cursor | null = null;
    /** The mailbox commands one fetch sends (connecting and selecting left out). */
    const fetch = async (limit: number, maxBytes?: number) => {
      sent.length = 0;
      cursor = (await source.fetchBatch(cursor, limit, undefined, maxBytes)).cursor;
      const name = (line: string) =>
        /^\S+ NOOP/.test(line) ? "NOOP" : / UID SEARCH /.test(line) ? "SEARCH" : / UID FETCH .*RFC822\.SIZE/.test(line) ? "sizes" : / UID FETCH .*BODY\.PEEK\[\]/.test(line) ? "bodies" : null;
      return sent.map(name).filter((c) => c !== null);
    };
    expect(await fetch(1)).toEqual(["NOOP", "SEARCH", "bodies"]);
    // 2-5 are known to be waiting: no NOOP; with a bound and more than one candidate, sizes first (of 2-5)
    expect(await fetch(2, 1_000_000)).toEqual(["SEARCH", "sizes", "bodies"]);
    expect(await fetch(2, 1_000_000)).toEqual(["SEARCH", "bodies"]); // the sizes of 4 and 5 are known
    expect(await fetch(10)).toEqual(["NOOP", "SEARCH"]); // nothing known: ask the server, then answer empty
    await appendAll(6, 7, 8);
    expect(await fetch(2, 1_000_000)).toEqual(["NOOP", "SEARCH", "sizes", "bodies"]); // new UIDs: sizes asked again
    expect(await fetch(10, 1_000_000)).toEqual(["SEARCH", "bodies"]); // one candidate: no sizes needed
  });

  // Bodies of 1: b, 2: b+2000, 3: b, 4: b+2000, 5: b+9000, 6: b, 7: b bytes, with b (headers) ≈ 200 < 666.
  const padded = [0, 2000, 0, 2000, 9000, 0, 0];
  const appendPadded = async () => {
    for (const [i, pad] of padded.entries()) await dovecot.appendMessage(mail(i + 1, "x".repeat(pad)), folder);
  };

  it("with maxBytes, each batch is the longest prefix within the bound and the cursor goes on from it", async () => {
    await appendPadded();
    const source = open();
    const drained = await drain(source, null, 10, 4000);
    // 1+2+3 fit, 4 would not; 4 then 5 would not; 5 alone although over the bound; 6+7 fit.
    expect(drained.sizes.map((batch) => batch.length)).toEqual([3, 1, 1, 2]);
    expect(drained.uids).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(drained.cursors).toEqual(["3", "4", "5", "7"]);
    const sums = drained.sizes.map((batch) => batch.reduce((a, b) => a + b, 0));
    expect(sums.filter((sum, i) => sum > 4000 && drained.sizes[i]!.length > 1)).toEqual([]);
  });

  it("with maxBytes and each batch moved to Processed before the next fetch, nothing is skipped or repeated", async () => {
    await appendPadded();
    const source = open();
    const batches: string[][] = [];
    let cursor: Cursor | null = null;
    for (;;) {
      const batch = await source.fetchBatch(cursor, 10, undefined, 4000);
      if (batch.messages.length === 0) break;
      batches.push(batch.messages.map((m) => m.key.uid));
      await Promise.all(batch.messages.map((m) => source.markProcessed(m.key)));
      cursor = batch.cursor;
    }
    expect(batches).toEqual([["1", "2", "3"], ["4"], ["5"], ["6", "7"]]);
    expect(await dovecot.listFolder(folder)).toEqual([]);
    expect((await dovecot.listFolder(`Processed${folderSeq}`)).length).toBe(7);
  });

  it("limit and maxBytes together: whichever cuts first", async () => {
    await appendPadded();
    const source = open({ processedFolder: null }); // flag mode: the same cut
    const drained = await drain(source, null, 2, 4000);
    expect(drained.sizes.map((batch) => batch.length)).toEqual([2, 2, 1, 2]);
    expect(drained.uids).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
  });

  it("a message larger than maxBytes comes alone, also when it is the first one", async () => {
    await dovecot.appendMessage(mail(1, "x".repeat(30_000)), folder);
    await appendAll(2, 3);
    const source = open();
    const first = await source.fetchBatch(null, 10, undefined, 1000);
    expect(first.messages.map((m) => m.key.uid)).toEqual(["1"]);
    expect(first.messages[0]!.raw.length).toBeGreaterThan(30_000);
    expect(first.cursor.lastUid).toBe("1");
    const rest = await source.fetchBatch(first.cursor, 10, undefined, 1000);
    expect(rest.messages.map((m) => m.key.uid)).toEqual(["2", "3"]);
  });

  it("a new session's rescan cut short by maxBytes goes on with the leftovers before passing the cursor", async () => {
    await appendPadded();
    const crashed = open();
    const handedOut = await crashed.fetchBatch(null, 4); // 1-4 committed, the moves never happened
    expect(handedOut.cursor.lastUid).toBe("4");
    const source = open();
    const first = await source.fetchBatch(handedOut.cursor, 10, undefined, 1); // maxBytes 1: one at a time
    expect(first.messages.map((m) => m.key.uid)).toEqual(["1"]);
    expect(first.cursor.lastUid).toBe("4"); // never behind what was committed
    const rest = await drain(source, first.cursor, 10, 1);
    expect(rest.uids).toEqual(["2", "3", "4", "5", "6", "7"]);
    expect(rest.cursors).toEqual(["4", "4", "4", "5", "6", "7"]);
  });

  it("within that rescan, a caller retrying from an older cursor gets its messages again", async () => {
    await appendPadded();
    const handedOut = await open().fetchBatch(null, 4);
    const source = open();
    await source.fetchBatch(handedOut.cursor, 10, undefined, 1);
    const second = await source.fetchBatch(handedOut.cursor, 10, undefined, 1);
    expect(second.messages.map((m) => m.key.uid)).toEqual(["2"]);
    const retry = await source.fetchBatch({ ...handedOut.cursor, lastUid: "1" }, 10, undefined, 1);
    expect(retry.messages.map((m) => m.key.uid)).toEqual(["2"]);
    expect((await drain(source, retry.cursor, 10)).uids).toEqual(["3", "4", "5", "6", "7"]);
  });

  it("rejects a negative maxBytes with a typed error", async () => {
    await expect(open().fetchBatch(null, 10, undefined, -1)).rejects.toMatchObject({ code: "E_SOURCE_BAD_MAX_BYTES", retryable: false });
  });

  it("a new session hands out again mail at or below the cursor that was never marked (crash before move)", async () => {
    await appendAll(1, 2);
    const before = open();
    const first = await before.fetchBatch(null, 10);
    await before.markProcessed(first.messages[0]!.key); // message 2 committed, but the move never happened
    const after = open();
    const again = await after.fetchBatch(first.cursor, 10);
    expect(again.messages.map((m) => m.key.uid)).toEqual(["2"]);
    expect(again.cursor.lastUid).toBe("2");
  });

  it("reports a UIDVALIDITY change and restarts from UID 1 of the new validity", async () => {
    await appendAll(1, 2);
    const source = open();
    const first = await source.fetchBatch(null, 10);
    await source.close();
    await dovecot.setUidValidity(folder, Number(first.cursor.uidValidity) + 1000);
    const later = open();
    const second = await later.fetchBatch(first.cursor, 10);
    expect(second.uidValidityChanged).toBe(true);
    expect(second.cursor.uidValidity).toBe(String(Number(first.cursor.uidValidity) + 1000));
    expect(texts(second.messages)).toEqual(texts(first.messages));
    // a mark with the stale key leaves the message alone instead of moving whatever has that UID now
    await later.markProcessed(first.messages[0]!.key);
    expect((await dovecot.listFolder(folder)).length).toBe(2);
  });

  it("reconnects after a server restart between two fetches and continues", async () => {
    await appendAll(1);
    let reconnects = 0;
    const source = open({ onReconnect: () => reconnects++ });
    const first = await source.fetchBatch(null, 10);
    expect(reconnects).toBe(0); // the first session is no reconnect
    await dovecot.restart();
    await appendAll(2);
    const second = await source.fetchBatch(first.cursor, 10);
    expect(texts(second.messages)).toEqual([mail(2).toString()]);
    expect(reconnects).toBe(1); // what support_inbox_imap_reconnects_total counts
    await source.markProcessed(second.messages[0]!.key);
    expect((await dovecot.listFolder(folder)).map((m) => m.raw.toString())).toEqual([mail(1).toString()]);
  });

  it("keeps retrying while the server is down, logging each failure, and succeeds once it is back", async () => {
    await appendAll(1);
    const warnings: string[] = [];
    const logger = { ...silent, warn: (_: object, msg?: string) => warnings.push(msg ?? "") };
    const source = open({ logger });
    await source.fetchBatch(null, 10);
    await dovecot.stopServer();
    const pending = source.fetchBatch(null, 10);
    while (warnings.length < 2) await new Promise((r) => setTimeout(r, 20));
    await dovecot.startServer();
    expect(texts((await pending).messages)).toEqual([mail(1).toString()]);
    expect(warnings[0]).toBe("IMAP operation failed; reconnecting");
  });

  it("waitForNew (IDLE) resolves after an append", async () => {
    await dovecot.createFolder(folder);
    const source = open();
    await source.fetchBatch(null, 10);
    const waiting = source.waitForNew(new AbortController().signal, 60_000);
    await new Promise((r) => setTimeout(r, 200)); // let IDLE start; the wait must end on EXISTS
    await appendAll(7);
    await waiting;
    expect(texts((await source.fetchBatch(null, 10)).messages)).toEqual([mail(7).toString()]);
  });

  it("fails fast with a typed error on a wrong password", async () => {
    const source = open({ password: "wrong" });
    await expect(source.fetchBatch(null, 10)).rejects.toMatchObject({ code: "E_IMAP_AUTH", retryable: false });
  });
});
