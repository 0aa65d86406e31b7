/**
 * Maildir: never read a half-written file (issue 12). A writer that puts a file into new/ directly, in
 * pieces, is read only once the file has stayed unchanged; what is stored is exactly what ends in cur/.
 * A 0-byte file is quarantined with its reason, not refused nor counted a duplicate. Through the real
 * pipeline: a Maildir drained by drainSource into each test database.
 */
import { open, readdir, readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drainSource } from "../../src/inbound/drain.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { SETTLE_MS } from "../../src/sources/maildir-complete.js";
import { cases, inboundRejections, messages, outbox } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };

const request = (n: number) =>
  Buffer.from(
    `From: Jane Doe <jane.doe@customer.example>\r\nTo: ${SUPPORT}\r\nSubject: [Sev3] request ${n}\r\nMessage-ID: <complete-${n}@customer.example>\r\n` +
      `Date: Tue, 10 Nov 2026 09:20:00 -0800\r\n\r\nName: Jane Doe\r\nEnvironment: production\r\nSteps to reproduce:\r\n` +
      `1. Open the dashboard\r\n2. The stream stalls after ${"a long while ".repeat(40)}\r\n\r\nJane\r\n`,
  );

describe.each(testDatabases())("Maildir completeness on %s", (target) => {
  const desk = useMaildirDesk(target);
  const files = (sub: string) => readdir(join(desk.dir, sub)).catch(() => [] as string[]);
  const drain = () => drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox);

  it("a file written into new/ in two halves a second apart is stored whole, and what is stored is what is in cur/", { timeout: 30_000 }, async () => {
    await deliverToMaildir(desk.dir, request(0)); // creates the folders; an ordinary delivery goes straight through
    expect(await drain()).toMatchObject({ processed: 1 });
    const raw = request(1);
    const half = Math.floor(raw.length / 2);
    // A writer that ignores tmp/: creates the file in new/, writes half, pauses a second, writes the rest.
    const name = "1731259200.M1P2.writer";
    const file = await open(join(desk.dir, "new", name), "w");
    try {
      await file.write(raw.subarray(0, half));
      await file.sync();
      expect(await drain()).toMatchObject({ fetched: 0 });
      desk.clock.advance(1000);
      await sleep(1000);
      expect(await drain()).toMatchObject({ fetched: 0 });
      await file.write(raw.subarray(half));
    } finally {
      await file.close();
    }
    // The second half changed the file: its quiet period starts again, and nothing is read before it ends.
    expect(await drain()).toMatchObject({ fetched: 0 });
    expect(await desk.db.select().from(messages)).toHaveLength(1);
    desk.clock.advance(SETTLE_MS);
    expect(await drain()).toMatchObject({ fetched: 1, processed: 1, failed: 0 });

    const stored = (await desk.db.select().from(messages)).find((m) => m.messageId === "complete-1@customer.example")!;
    expect(stored.rawSize).toBe(raw.length);
    expect(stored.text).toContain("The stream stalls after");
    const [moved] = (await files("cur")).filter((f) => f.startsWith(name));
    const inCur = await readFile(join(desk.dir, "cur", moved!));
    expect(inCur.equals(raw)).toBe(true);
    expect(stored.rawSize).toBe(inCur.length);
    const opened = (await desk.db.select().from(cases)).find((c) => c.subject === "[Sev3] request 1");
    expect(opened?.templateFields).toMatchObject({ stepsToReproduce: expect.stringContaining("2. The stream stalls after") });
    expect(await files("new")).toEqual([]);
  });

  it("a 0-byte file is quarantined with its reason, as is a second one: neither refused nor a duplicate", async () => {
    await deliverToMaildir(desk.dir, "");
    await deliverToMaildir(desk.dir, "");
    expect(await drain()).toMatchObject({ fetched: 2, quarantined: 2, failed: 0 });
    const rejections = await desk.db.select().from(inboundRejections);
    expect(rejections.map((r) => [r.disposition, r.reasonCode, r.detail])).toEqual([
      ["quarantined", "empty", "empty message: 0 bytes"],
      ["quarantined", "empty", "empty message: 0 bytes"],
    ]);
    expect(await desk.db.select().from(messages)).toEqual([]);
    // Nothing sent to anyone but the managers, who are told of each quarantine at once.
    expect((await desk.db.select().from(outbox)).map((r) => r.kind)).toEqual(["quarantine-notice", "quarantine-notice"]);
    expect(await files("new")).toEqual([]);
    expect(await files(".Quarantine/cur")).toHaveLength(2);
  });

  it("a file created empty in new/ and filled a moment later is read once filled, not quarantined as empty", async () => {
    await deliverToMaildir(desk.dir, request(0));
    await drain();
    const name = "1731259300.M2P3.writer";
    await writeFile(join(desk.dir, "new", name), "");
    expect(await drain()).toMatchObject({ fetched: 0, quarantined: 0 });
    await writeFile(join(desk.dir, "new", name), request(2));
    desk.clock.advance(SETTLE_MS);
    expect(await drain()).toMatchObject({ fetched: 0 }); // changed since last seen: quiet period again
    desk.clock.advance(SETTLE_MS);
    expect(await drain()).toMatchObject({ fetched: 1, processed: 1, quarantined: 0 });
    expect(await desk.db.select().from(inboundRejections)).toEqual([]);
    expect((await desk.db.select().from(cases)).map((c) => c.subject)).toContain("[Sev3] request 2");
  });
});
