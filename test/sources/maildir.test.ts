import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock, SystemClock } from "../../src/clock/clock.js";
import { deliverToMaildir, MaildirSource } from "../../src/sources/maildir.js";
import { UIDVALIDITY_FILE } from "../../src/sources/maildir-files.js";
import type { Cursor } from "../../src/sources/types.js";

const mail = (n: number, pad = 0) =>
  Buffer.from(`From: a${n}@example.com\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.com>\r\n\r\nBody ${n} \u00e9${"x".repeat(pad)}\r\n`);
const numbers = (msgs: Array<{ raw: Buffer }>) => msgs.map((m) => Number(/Subject: message (\d+)/.exec(m.raw.toString())![1]));

let dir: string;
let source: MaildirSource;

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), "maildir-test-"));
  source = new MaildirSource({ name: "support", path: dir, clock: new ManualClock("2025-03-01T10:00:00Z") });
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const ls = async (sub: string) => (await fs.readdir(join(dir, sub)).catch(() => [])).sort();

describe("MaildirSource", () => {
  it("returns delivered messages in delivery order with their bytes intact", async () => {
    for (const n of [1, 2, 3]) await deliverToMaildir(dir, mail(n));
    const batch = await source.fetchBatch(null, 10);
    expect(batch.messages.map((m) => m.raw.toString())).toEqual([1, 2, 3].map((n) => mail(n).toString()));
    expect(batch.uidValidityChanged).toBe(false);
    expect(batch.cursor).toEqual({ uidValidity: batch.messages[0]!.key.uidValidity, lastUid: batch.messages[2]!.key.uid });
    expect(batch.messages[0]!.key).toMatchObject({ mailbox: "support", folder: "INBOX" });
    expect(await ls("tmp")).toEqual([]);
  });

  it("respects the batch limit", async () => {
    for (const n of [1, 2, 3]) await deliverToMaildir(dir, mail(n));
    const first = await source.fetchBatch(null, 2);
    expect(first.messages).toHaveLength(2);
    const rest = await source.fetchBatch(first.cursor, 2);
    expect(rest.messages.map((m) => m.raw.toString())).toEqual([mail(3).toString()]);
  });

  // Bodies of 1: b, 2: b+2000, 3: b, 4: b+2000, 5: b+9000, 6: b, 7: b bytes, with b (headers) ≈ 90 < 666.
  const deliverPadded = async () => {
    for (const [i, pad] of [0, 2000, 0, 2000, 9000, 0, 0].entries()) await deliverToMaildir(dir, mail(i + 1, pad));
  };
  /** Fetches from `cursor` until a batch comes back empty: the message numbers of each batch. */
  const drain = async (cursor: Cursor | null, limit: number, maxBytes?: number) => {
    const batches: number[][] = [];
    for (;;) {
      const batch = await source.fetchBatch(cursor, limit, undefined, maxBytes);
      if (batch.messages.length === 0) return batches;
      const sum = batch.messages.reduce((a, m) => a + m.raw.length, 0);
      if (batch.messages.length > 1) expect(sum).toBeLessThanOrEqual(maxBytes ?? Infinity);
      expect(batch.cursor.lastUid).toBe(batch.messages.at(-1)!.key.uid);
      batches.push(numbers(batch.messages));
      cursor = batch.cursor;
    }
  };

  it("with maxBytes, each batch is the longest prefix within the bound and the cursor goes on from it", async () => {
    await deliverPadded();
    // 1+2+3 fit, 4 would not; 4 then 5 would not; 5 alone although over the bound; 6+7 fit.
    expect(await drain(null, 10, 4000)).toEqual([[1, 2, 3], [4], [5], [6, 7]]);
  });

  it("limit and maxBytes together: whichever cuts first", async () => {
    await deliverPadded();
    expect(await drain(null, 2, 4000)).toEqual([[1, 2], [3, 4], [5], [6, 7]]);
  });

  it("a message larger than maxBytes comes alone, also when it is the first one", async () => {
    await deliverToMaildir(dir, mail(1, 30_000));
    await deliverToMaildir(dir, mail(2));
    await deliverToMaildir(dir, mail(3));
    expect(await drain(null, 10, 1000)).toEqual([[1], [2, 3]]);
  });

  it("with maxBytes and each batch marked before the next fetch, nothing is skipped or repeated", async () => {
    await deliverPadded();
    const seen: number[][] = [];
    let cursor: Cursor | null = null;
    for (;;) {
      const batch = await source.fetchBatch(cursor, 10, undefined, 4000);
      if (batch.messages.length === 0) break;
      seen.push(numbers(batch.messages));
      for (const m of batch.messages) await source.markProcessed(m.key);
      cursor = batch.cursor;
    }
    expect(seen).toEqual([[1, 2, 3], [4], [5], [6, 7]]);
  });

  it("rejects a negative maxBytes with a typed error", async () => {
    await expect(source.fetchBatch(null, 10, undefined, -1)).rejects.toMatchObject({ code: "E_SOURCE_BAD_MAX_BYTES", retryable: false });
  });

  it("markProcessed moves the file from new/ to cur/ with the seen flag, and is idempotent", async () => {
    const name = await deliverToMaildir(dir, mail(1));
    const [msg] = (await source.fetchBatch(null, 10)).messages;
    await source.markProcessed(msg!.key);
    await source.markProcessed(msg!.key);
    expect(await ls("new")).toEqual([]);
    expect(await ls("cur")).toEqual([`${name}:2,S`]);
    expect(await fs.readFile(join(dir, "cur", `${name}:2,S`))).toEqual(mail(1));
    expect((await source.fetchBatch(null, 10)).messages).toEqual([]);
  });

  it("quarantine moves the message into .Quarantine/cur/", async () => {
    const name = await deliverToMaildir(dir, mail(1));
    const [msg] = (await source.fetchBatch(null, 10)).messages;
    await source.quarantine(msg!.key, "failed 3 times");
    expect(await ls("new")).toEqual([]);
    expect(await ls(".Quarantine/cur")).toEqual([`${name}:2,`]);
    await expect(source.markProcessed(msg!.key)).rejects.toMatchObject({ code: "E_SOURCE_MESSAGE_NOT_FOUND" });
  });

  it("resumes after the cursor: only newer messages are returned", async () => {
    await deliverToMaildir(dir, mail(1));
    await deliverToMaildir(dir, mail(2));
    const first = await source.fetchBatch(null, 10);
    await deliverToMaildir(dir, mail(3));
    const restarted = new MaildirSource({ name: "support", path: dir, clock: new SystemClock() });
    const second = await restarted.fetchBatch(first.cursor, 10);
    expect(second.messages.map((m) => m.raw.toString())).toEqual([mail(3).toString()]);
  });

  it("hands out again what stayed in new/ once the cursor's message has been processed", async () => {
    await deliverToMaildir(dir, mail(1));
    await deliverToMaildir(dir, mail(2));
    const [m1] = (await source.fetchBatch(null, 1)).messages;
    await source.markProcessed(m1!.key);
    const again = await source.fetchBatch({ uidValidity: m1!.key.uidValidity, lastUid: m1!.key.uid }, 10);
    expect(again.messages.map((m) => m.raw.toString())).toEqual([mail(2).toString()]);
  });

  it("reports a UIDVALIDITY change when the maildir was replaced, restarting from the start", async () => {
    await deliverToMaildir(dir, mail(1));
    const first = await source.fetchBatch(null, 10);
    await fs.writeFile(join(dir, UIDVALIDITY_FILE), "42\n");
    const second = await source.fetchBatch(first.cursor, 10);
    expect(second.uidValidityChanged).toBe(true);
    expect(second.messages.map((m) => m.key.uidValidity)).toEqual(["42"]);
    expect(second.cursor.uidValidity).toBe("42");
  });

  it("ignores malformed names, dot files and directories in new/ without touching them", async () => {
    await deliverToMaildir(dir, mail(1));
    await fs.writeFile(join(dir, "new", ".hidden"), "x");
    await fs.writeFile(join(dir, "new", "bad name with spaces"), "x");
    await fs.writeFile(join(dir, "new", "evil\nname"), "x");
    await fs.mkdir(join(dir, "new", "subdir"));
    const batch = await source.fetchBatch(null, 10);
    expect(batch.messages.map((m) => m.raw.toString())).toEqual([mail(1).toString()]);
    expect((await ls("new")).length).toBe(5);
  });

  it("waitForNew resolves when a message is delivered, and on timeout otherwise", async () => {
    const system = new MaildirSource({ name: "support", path: dir, clock: new SystemClock(), pollIntervalMs: 20 });
    await system.fetchBatch(null, 10);
    await system.waitForNew(new AbortController().signal, 30); // nothing there: returns on timeout
    const waiting = system.waitForNew(new AbortController().signal, 60_000);
    await deliverToMaildir(dir, mail(1));
    await waiting;
    expect((await system.fetchBatch(null, 10)).messages).toHaveLength(1);
  });

  it("rejects keys of another mailbox", async () => {
    const key = { mailbox: "other", folder: "INBOX", uidValidity: "1", uid: "x" };
    await expect(source.markProcessed(key)).rejects.toMatchObject({ code: "E_SOURCE_FOREIGN_KEY" });
  });
});
