/**
 * Attachment bytes go into Postgres by binary COPY (src/store/copy.ts) and into PGlite by INSERT:
 * both store exactly the bytes given, and on Postgres a COPY that fails (at once, or only after its
 * last byte when a foreign key is checked) rejects with an error instead of hanging, rolls back, and
 * leaves the connection usable.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { binaryCopyChunks, copyRows } from "../../src/store/copy.js";
import * as store from "../../src/store/index.js";
import type { Db } from "../../src/store/index.js";
import { executeRows } from "../../src/store/database.js";
import { ATTACHMENT_COLUMNS } from "../../src/store/repos/messages.js";
import { testDatabases } from "../support/db.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("binary COPY encoding", () => {
  it("writes the PGCOPY header, one tuple per row with NULLs as -1, and the trailer", () => {
    const chunks = binaryCopyChunks(
      [
        { name: "n", type: "int4" },
        { name: "t", type: "text" },
        { name: "b", type: "bytea" },
      ],
      [[7, "é", null]],
    );
    expect(chunks).toHaveLength(1);
    const bytes = chunks[0]!;
    expect(bytes.subarray(0, 11).toString("latin1")).toBe("PGCOPY\n\xff\r\n\0");
    expect(bytes.readInt32BE(11)).toBe(0);
    expect(bytes.readInt32BE(15)).toBe(0);
    let at = 19;
    expect(bytes.readInt16BE(at)).toBe(3);
    expect(bytes.readInt32BE((at += 2))).toBe(4);
    expect(bytes.readInt32BE((at += 4))).toBe(7);
    expect(bytes.readInt32BE((at += 4))).toBe(2);
    expect(bytes.subarray((at += 4), at + 2).toString("utf8")).toBe("é");
    expect(bytes.readInt32BE((at += 2))).toBe(-1);
    expect(bytes.readInt16BE((at += 4))).toBe(-1);
    expect(bytes.length).toBe(at + 2);
  });

  it("hands a large value over as the caller's own memory, not a copy", () => {
    const big = new Uint8Array(randomBytes(200_000));
    const chunks = binaryCopyChunks([{ name: "b", type: "bytea" }], [[big], [new Uint8Array([1, 2])]]);
    expect(chunks).toHaveLength(3);
    expect(chunks[1]!.buffer).toBe(big.buffer);
    expect(chunks[1]!.length).toBe(200_000);
  });

  it("refuses a value of the wrong type with the column's name", () => {
    expect(() => binaryCopyChunks([{ name: "size", type: "int4" }], [["12"]])).toThrow(/COPY column size/);
  });
});

describe.each(testDatabases())("attachments stored on %s", (target) => {
  let db: Db;
  let messageId: number;

  beforeAll(async () => {
    db = await target.open();
    const row = await store.insertMessage(db, { direction: "in", from: "a@b.example", receivedAt: new Date("2026-01-05T10:00:00Z"), messageId: "copy-1@b.example" });
    messageId = row!.id;
  });
  afterAll(() => target.close());

  const stored = (id: number) =>
    executeRows<{ filename: string; size: number; sha256: string; content: Uint8Array | null }>(
      db,
      sql`select filename, size, sha256, content from attachments where message_id = ${id} order by id`,
    );

  it("a 3 MB file, an empty one and one without content come back byte for byte", async () => {
    const big = new Uint8Array(randomBytes(3 * 1024 * 1024));
    await db.transaction(async (tx) => {
      await store.insertAttachments(tx, [
        { messageId, filename: "dump.bin", contentType: "application/octet-stream", size: big.length, sha256: sha(big), content: big },
        { messageId, filename: "empty.txt", contentType: "text/plain", size: 0, sha256: sha(new Uint8Array(0)), content: new Uint8Array(0) },
        { messageId, filename: "dropped.iso", contentType: "application/octet-stream", size: 9, sha256: "0".repeat(64), content: null },
      ]);
    });
    const rows = await stored(messageId);
    expect(rows.map((r) => r.filename)).toEqual(["dump.bin", "empty.txt", "dropped.iso"]);
    expect(sha(rows[0]!.content!)).toBe(sha(big));
    expect(rows[0]!.size).toBe(big.length);
    expect(rows[1]!.content).toHaveLength(0);
    expect(rows[2]!.content).toBeNull();
  });

  it("outside a transaction, too", async () => {
    const other = await store.insertMessage(db, { direction: "in", from: "a@b.example", receivedAt: new Date("2026-01-05T10:00:00Z"), messageId: "copy-2@b.example" });
    await store.insertAttachments(db, [{ messageId: other!.id, filename: "ü.txt", contentType: "text/plain", size: 2, sha256: "x", content: new Uint8Array([104, 105]) }]);
    expect((await stored(other!.id)).map((r) => [r.filename, Buffer.from(r.content!).toString()])).toEqual([["ü.txt", "hi"]]);
  });
});

// A COPY's failures depend on the streaming protocol, which only the postgres.js path uses.
describe.each(testDatabases().filter((t) => t.name === "postgres"))("a failing attachment COPY on %s", (target) => {
  let db: Db;
  let messageId: number;

  beforeAll(async () => {
    db = await target.open();
    const row = await store.insertMessage(db, { direction: "in", from: "a@b.example", receivedAt: new Date("2026-01-05T10:00:00Z"), messageId: "copy-3@b.example" });
    messageId = row!.id;
  });
  afterAll(() => target.close());

  it("a foreign key failing after the last byte rejects, rolls back and leaves the connection usable", async () => {
    const big = new Uint8Array(randomBytes(1024 * 1024));
    const attempt = db.transaction(async (tx) => {
      await store.insertAttachments(tx, [
        { messageId, filename: "ok.bin", contentType: "application/octet-stream", size: 3, sha256: "x", content: new Uint8Array([1, 2, 3]) },
        { messageId: 999_999, filename: "orphan.bin", contentType: "application/octet-stream", size: big.length, sha256: "x", content: big },
      ]);
    });
    await expect(attempt).rejects.toThrow(/did not accept 2 copied rows/);
    const names = (await executeRows<{ filename: string }>(db, sql`select filename from attachments`)).map((r) => r.filename);
    expect(names).not.toContain("ok.bin");
    expect(names).not.toContain("orphan.bin");
  });

  it("a row refused at once (NOT NULL) rejects before the rest is sent, and nothing is stored", async () => {
    const big = new Uint8Array(randomBytes(2 * 1024 * 1024));
    const attempt = db.transaction((tx) =>
      copyRows(
        tx,
        "attachments",
        ATTACHMENT_COLUMNS,
        [
          [messageId, null, "text/plain", 1, "x", new Uint8Array([1])],
          [messageId, "late.bin", "application/octet-stream", big.length, "x", big],
        ],
      ),
    );
    await expect(attempt).rejects.toThrow(/null value in column "filename"|did not accept 2 copied rows/);
    const names = (await executeRows<{ filename: string }>(db, sql`select filename from attachments`)).map((r) => r.filename);
    expect(names).not.toContain("late.bin");
    // The same pool goes on working.
    expect(await executeRows<{ one: number }>(db, sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });
});
