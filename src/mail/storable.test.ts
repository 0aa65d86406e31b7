import { describe, expect, it } from "vitest";
import { DEFAULT_PARSE_LIMITS } from "./message.js";
import { parseMessage } from "./parse.js";
import { MAX_MESSAGE_ID_BYTES, storableText } from "./storable.js";

const STORABLE = /^[^\u0000]*$/;
const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe("storableText", () => {
  it("drops NUL, turns a lone surrogate into U+FFFD, and leaves everything else as it is", () => {
    const inputs = ["Ärger mit 🚀 und 日本", "hello\u0000world\n", "a\ud800b", "a\udc00b", "\ud83d\ude80", "\u0000\udfff\u0000"];
    expect(inputs.map(storableText)).toEqual(["Ärger mit 🚀 und 日本", "helloworld\n", "a\ufffdb", "a\ufffdb", "🚀", "\ufffd"]);
  });
});

describe("parseMessage makes what a mail says storable, its bytes untouched", () => {
  const mail = (head: string, body: string) => Buffer.from(`From: Jane <jane@customer.example>\r\nTo: support@vendor.example\r\n${head}\r\n${body}`);

  it("a base64 body that decodes to NUL, a NUL in an encoded subject, a file name and a header", async () => {
    const raw = mail(
      'Subject: =?utf-8?B?YQBi?=\r\nX-Odd: x\u0000y\r\nContent-Type: multipart/mixed; boundary="b"\r\n',
      "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8Ad29ybGQK\r\n" +
        "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=utf-8''x%00.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEA\r\n--b--\r\n",
    );
    const m = await parseMessage(raw, DEFAULT_PARSE_LIMITS);
    expect(m.text).toBe("helloworld\n");
    expect(m.subject).toBe("ab");
    expect(m.headers["x-odd"]).toEqual(["xy"]);
    expect(m.attachments.map((a) => [a.filename, [...a.content]])).toEqual([["x.bin", [0, 1, 0]]]);
    for (const s of [m.text, m.subject, ...Object.values(m.headers).flat(), ...m.attachments.map((a) => a.filename)]) {
      expect(s).toMatch(STORABLE);
      expect(wellFormed(s)).toBe(true);
    }
    expect(m.rawSize).toBe(raw.length);
  });

  it("a Message-ID longer than a header line may be is no id: the message is identified as one without", async () => {
    const long = `${"x".repeat(MAX_MESSAGE_ID_BYTES)}@customer.example`;
    const m = await parseMessage(mail(`Subject: long id\r\nMessage-ID: <${long}>\r\nIn-Reply-To: <${long}>\r\nReferences: <a@b> <${long}>\r\n`, "hi\r\n"), DEFAULT_PARSE_LIMITS);
    expect(m.messageId).toBeNull();
    expect(m.inReplyTo).toBeNull();
    expect(m.references).toEqual(["a@b"]);
    expect(m.warnings.some((w) => w.startsWith("unusable Message-ID header"))).toBe(true);
  });
});
