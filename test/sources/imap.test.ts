import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SystemClock } from "../../src/clock/clock.js";
import { silentLogger as silent } from "../../src/sources/types.js";
import { ImapSource, PROCESSED_KEYWORD, type ImapSourceOptions } from "../../src/sources/imap.js";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../support/dovecot.js";

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
    const second = await source.fetchBatch(first.cursor, 10);
    expect(second.messages.map((m) => m.key.uid)).toEqual(["3", "4"]);
    expect(second.cursor.lastUid).toBe("4");
    expect((await source.fetchBatch(second.cursor, 10)).messages).toEqual([]);
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
    const source = open();
    const first = await source.fetchBatch(null, 10);
    await dovecot.restart();
    await appendAll(2);
    const second = await source.fetchBatch(first.cursor, 10);
    expect(texts(second.messages)).toEqual([mail(2).toString()]);
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
