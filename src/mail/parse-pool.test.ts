import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_PARSE_LIMITS, type NormalizedMessage, type ParseLimits } from "./message.js";
import { MailParseError, parseMessage } from "./parse.js";
import type { MessageParser } from "./message.js";
import { createParsePool, inlineParser, ParsePoolError } from "./parse-pool.js";
import { ParsePool, resolveWorkerEntry } from "./parse-pool-threads.js";
import { decodeReply, encodeFailure, encodeResult } from "./parse-pool-wire.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/mail/", import.meta.url));
const FIXTURE_NAMES = readdirSync(FIXTURES).filter((f) => f.endsWith(".eml")).sort();
const fixture = (name: string): Buffer => readFileSync(FIXTURES + name);

/** A message with a base64 attachment of `size` bytes, so the attachment crosses threads as a large transfer. */
function withAttachment(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size, seed);
  for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096 + seed) & 0xff;
  const b64 = bytes.toString("base64").replace(/.{76}/g, "$&\r\n");
  return Buffer.from(
    `From: Jane <jane@customer.example>\r\nTo: support@vendor.example\r\nSubject: dump ${seed}\r\nMessage-ID: <dump-${seed}@customer.example>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n` +
      `--b\r\nContent-Type: application/octet-stream; name="dump.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--\r\n`,
  );
}

/**
 * toStrictEqual, with attachment contents compared as bytes (and class) apart: vitest's generic
 * equality walks a typed array element by element, which takes seconds for a few MB.
 */
function expectSameMessage(got: NormalizedMessage, expected: NormalizedMessage): void {
  const bytes = (m: NormalizedMessage) => m.attachments.map((a) => ({ class: a.content.constructor.name, hex: createHash("sha256").update(a.content).digest("hex") }));
  const rest = (m: NormalizedMessage) => ({ ...m, attachments: m.attachments.map((a) => ({ ...a, content: a.content.byteLength })) });
  expect(bytes(got)).toStrictEqual(bytes(expected));
  expect(rest(got)).toStrictEqual(rest(expected));
}

const pools: MessageParser[] = [];
const pool = (threads: number): MessageParser => {
  const p = createParsePool({ threads });
  pools.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe("createParsePool gives what parseMessage gives", () => {
  it("covers the fixtures used here: one with an attachment, one not in UTF-8", () => {
    expect(FIXTURE_NAMES).toContain("thunderbird-plain-with-attachment.eml");
    expect(FIXTURE_NAMES).toContain("koi8r-russian.eml");
    expect(FIXTURE_NAMES).toContain("iso-2022-jp.eml");
  });

  const shared = pool(2);

  it.each(FIXTURE_NAMES)("%s: deep-equal, attachment contents of the same class", async (name) => {
    const expected = await parseMessage(fixture(name), DEFAULT_PARSE_LIMITS);
    const got = await shared.parse(fixture(name), DEFAULT_PARSE_LIMITS);
    expect(got).toStrictEqual(expected);
    for (const [i, a] of got.attachments.entries()) expect(a.content.constructor).toBe(expected.attachments[i]!.content.constructor);
    expectSameMessage(got, expected);
  });

  it("a 3 MB attachment comes back whole, with its sha256, and the caller's Buffer is untouched", async () => {
    const raw = withAttachment(3 * 1024 * 1024);
    const before = Buffer.from(raw);
    const got = await pool(1).parse(raw, DEFAULT_PARSE_LIMITS);
    expectSameMessage(got, await parseMessage(raw, DEFAULT_PARSE_LIMITS));
    expect(got.attachments[0]!.size).toBe(3 * 1024 * 1024);
    expect(raw.equals(before)).toBe(true); // copied for the thread, never detached
  });

  it("a slice of a shared Buffer parses as its own bytes", async () => {
    const a = fixture("apple-mail-plain.eml");
    const b = fixture("koi8r-russian.eml");
    const shared = Buffer.concat([a, b]);
    const got = await pool(1).parse(shared.subarray(a.length), DEFAULT_PARSE_LIMITS);
    expect(got).toStrictEqual(await parseMessage(b, DEFAULT_PARSE_LIMITS));
  });

  it("limits travel with the message: attachments over maxAttachments are dropped the same way", async () => {
    const limits: ParseLimits = { ...DEFAULT_PARSE_LIMITS, maxAttachments: 0 };
    const name = "thunderbird-plain-with-attachment.eml";
    const got = await pool(1).parse(fixture(name), limits);
    expect(got.droppedAttachments).toHaveLength(1);
    expect(got).toStrictEqual(await parseMessage(fixture(name), limits));
  });

  it("inlineParser is parseMessage", async () => {
    const name = "windows-1252-with-attachment.eml";
    expect(await inlineParser.parse(fixture(name), DEFAULT_PARSE_LIMITS)).toStrictEqual(await parseMessage(fixture(name), DEFAULT_PARSE_LIMITS));
  });
});

describe("errors", () => {
  it("a header block over the limit rejects with the same MailParseError (code, message, details)", async () => {
    const limits: ParseLimits = { ...DEFAULT_PARSE_LIMITS, maxHeaderBytes: 64 };
    const raw = fixture("gmail-reply-quoted.eml");
    const expected = await parseMessage(raw, limits).then(
      () => expect.unreachable("parseMessage accepted it"),
      (e: unknown) => e as MailParseError,
    );
    const error = await pool(1).parse(raw, limits).then(
      () => expect.unreachable("the pool accepted it"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MailParseError);
    expect(error).toStrictEqual(expected); // vitest compares name, message, cause and own properties (code, details)
    expect(error).toMatchObject({ name: "MailParseError", code: "E_MAIL_HEADERS_TOO_LARGE", message: expected.message, details: expected.details });
    expect((error as MailParseError).details).toEqual({ headerBytes: expect.any(Number), maxHeaderBytes: 64 });
  });

  it("a MailParseError keeps its cause's name and message; any other error becomes a plain Error with its message", () => {
    const cause = new TypeError("bad boundary");
    const mail = decodeReply(encodeFailure(7, new MailParseError("E_MAIL_UNPARSEABLE", "message could not be parsed", { rawSize: 3 }, cause)));
    expect(mail.ok).toBe(false);
    const mailError = (mail as { error: Error }).error;
    expect(mailError).toBeInstanceOf(MailParseError);
    expect(mailError).toMatchObject({ code: "E_MAIL_UNPARSEABLE", message: "message could not be parsed", details: { rawSize: 3 } });
    expect(mailError.cause).toMatchObject({ name: "TypeError", message: "bad boundary" });

    const other = decodeReply(encodeFailure(8, new RangeError("out of range")));
    const otherError = (other as { error: Error }).error;
    expect(otherError.constructor).toBe(Error);
    expect(otherError.message).toBe("out of range");
  });

  it("a Buffer attachment content comes back as a Buffer, a Uint8Array as a Uint8Array, each with its own ArrayBuffer", async () => {
    const msg = await parseMessage(fixture("windows-1252-with-attachment.eml"), DEFAULT_PARSE_LIMITS);
    const pooled = Buffer.from("pooled bytes"); // a view into Node's shared 8 KB pool
    const asBuffer = { ...msg, attachments: [{ ...msg.attachments[0]!, content: pooled }, msg.attachments[0]!] };
    const { reply, transfer } = encodeResult(1, asBuffer);
    expect(new Set(transfer).size).toBe(2);
    expect(transfer.every((b) => b.byteLength < 8192)).toBe(true); // the pool itself is never moved
    const decoded = decodeReply(structuredClone(reply, { transfer }));
    if (!decoded.ok) throw decoded.error;
    expect(Buffer.isBuffer(decoded.message.attachments[0]!.content)).toBe(true);
    expect(Buffer.isBuffer(decoded.message.attachments[1]!.content)).toBe(false);
    expect(decoded.message.attachments[0]!.content).toEqual(pooled);
  });
});

describe("many at once", () => {
  it("100 parses over 2 threads in parallel all resolve to their own message", async () => {
    const p = pool(2);
    const names = Array.from({ length: 100 }, (_, i) => FIXTURE_NAMES[(i * 7) % FIXTURE_NAMES.length]!);
    const raws = names.map((n, i) => (i % 25 === 0 ? withAttachment(256 * 1024, i) : fixture(n)));
    const expected = await Promise.all(raws.map((r) => parseMessage(r, DEFAULT_PARSE_LIMITS)));
    const got = await Promise.all(raws.map((r) => p.parse(r, DEFAULT_PARSE_LIMITS)));
    expect(got).toHaveLength(expected.length);
    for (const [i, m] of got.entries()) expectSameMessage(m, expected[i]!);
    // Both threads got work (least busy first).
    expect((p as ParsePool).workers().filter((w) => w !== null)).toHaveLength(2);
  });
});

describe("a thread that dies", () => {
  const tmp = mkdtempSync(join(tmpdir(), "parse-pool-test-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("terminated from outside: its in-flight parses reject naming the exit, and the next parse gets a new thread", async () => {
    const p = pool(1) as ParsePool;
    const raw = withAttachment(4 * 1024 * 1024);
    const inFlight = [p.parse(raw, DEFAULT_PARSE_LIMITS), p.parse(fixture("list-mail.eml"), DEFAULT_PARSE_LIMITS)];
    const [worker] = p.workers();
    expect(worker).not.toBeNull();
    const settled = Promise.allSettled(inFlight);
    await worker!.terminate(); // what an OOM kill or a crash looks like from the pool's side
    for (const result of await settled) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason as unknown;
      expect(error).toBeInstanceOf(ParsePoolError);
      expect(error).toMatchObject({ code: "E_PARSE_THREAD_DIED", message: expect.stringMatching(/thread 0 died with 2 message\(s\) in flight: it exited with code \d+ without reporting an error/) });
    }
    expect(p.workers()).toEqual([null]);
    const name = "koi8r-russian.eml";
    expect(await p.parse(fixture(name), DEFAULT_PARSE_LIMITS)).toStrictEqual(await parseMessage(fixture(name), DEFAULT_PARSE_LIMITS));
    expect(p.workers()[0]).not.toBe(worker);
  });

  it("a thread that throws: the rejection names the error that ended it", async () => {
    const entry = join(tmp, "throwing-worker.mjs");
    writeFileSync(entry, `import { parentPort } from "node:worker_threads";\nparentPort.on("message", () => { throw new RangeError("simulated crash"); });\n`);
    const p = new ParsePool(1, { file: pathToFileURL(entry) });
    pools.push(p);
    const error = await p.parse(fixture("list-mail.eml"), DEFAULT_PARSE_LIMITS).then(() => expect.unreachable("resolved"), (e: unknown) => e);
    expect(error).toMatchObject({ code: "E_PARSE_THREAD_DIED", message: expect.stringContaining("RangeError: simulated crash") });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describe("close", () => {
  it("parse after close rejects; parses that resolved before stay resolved", async () => {
    const p = createParsePool({ threads: 1 });
    const done = await p.parse(fixture("list-mail.eml"), DEFAULT_PARSE_LIMITS);
    await p.close();
    await p.close(); // idempotent
    expect(done.subject).not.toBe("");
    await expect(p.parse(fixture("list-mail.eml"), DEFAULT_PARSE_LIMITS)).rejects.toMatchObject({ code: "E_PARSE_POOL_CLOSED", message: expect.stringContaining("after close()") });
  });

  it("close with parses in flight rejects them as closed", async () => {
    const p = createParsePool({ threads: 1 });
    const inFlight = expect(p.parse(withAttachment(2 * 1024 * 1024), DEFAULT_PARSE_LIMITS)).rejects.toMatchObject({ code: "E_PARSE_POOL_CLOSED" });
    await p.close();
    await inFlight;
  });

  it("an idle pool left open does not keep the process alive", async () => {
    const script = join(mkdtempSync(join(tmpdir(), "parse-pool-exit-")), "open-pool.mts");
    const poolUrl = new URL("./parse-pool.ts", import.meta.url).href;
    writeFileSync(
      script,
      `import { createParsePool } from ${JSON.stringify(poolUrl)};\n` +
        `const pool = createParsePool({ threads: 2 });\n` +
        `const m = await pool.parse(Buffer.from("From: a@b.example\\r\\nSubject: hi\\r\\n\\r\\nbody\\r\\n"), { maxMessageBytes: 1e6, maxAttachments: 5, maxHeaderBytes: 1e5 });\n` +
        `console.log(m.subject);\n`,
    );
    const tsx = pathToFileURL(fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url))).href;
    // Without unref the child would never exit and the test would time out.
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", tsx, script], { timeout: 25_000 });
    expect(stdout.trim()).toBe("hi");
    rmSync(join(script, ".."), { recursive: true, force: true });
  });
});

describe("setup", () => {
  it("threads must be a whole number >= 1", () => {
    expect(() => createParsePool({ threads: 0 })).toThrow(ParsePoolError);
    expect(() => createParsePool({ threads: 1.5 })).toThrow(/whole number >= 1/);
  });

  it("from source the entry is parse-worker.ts with tsx; a compiled build without parse-worker.js is refused up front", () => {
    const here = new URL("./parse-pool-threads.ts", import.meta.url).href;
    expect(resolveWorkerEntry(here)).toMatchObject({ file: new URL("./parse-worker.ts", here), tsxApi: expect.stringMatching(/^file:.*tsx.*\.mjs$/) });
    const dir = mkdtempSync(join(tmpdir(), "parse-pool-dist-"));
    expect(() => resolveWorkerEntry(pathToFileURL(join(dir, "parse-pool-threads.js")).href)).toThrow(/parse-worker\.js .*run npm run build/);
    rmSync(dir, { recursive: true, force: true });
  });
});
