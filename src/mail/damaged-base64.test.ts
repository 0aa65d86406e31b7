/** Base64 parts that are not base64 (damaged-base64.ts): kept as attachments of their encoded bytes, never as garbage. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { base64Damage, markDamagedBase64 } from "./damaged-base64.js";
import { DEFAULT_PARSE_LIMITS } from "./message.js";
import { parseMessage } from "./parse.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/mail/${name}`, import.meta.url)));
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("base64Damage", () => {
  it.each([
    ["valid, wrapped in CRLF lines", "SGVs\r\nbG8=\r\n", null],
    ["valid, no padding needed", "SGVsbG8h", null],
    ["empty", "", null],
    ["chunks padded line by line", "QQ==\nQUI=\n", null],
    ["a character outside the alphabet", "SGVs!G8h", /'!' at line 1, column 5 is not base64/],
    ["an 8-bit byte", "SGVs\xe9G8h", /byte 0xe9 at line 1, column 5/],
    ["truncated mid-group", "SGVsbG8", /7 base64 characters, not a multiple of 4/],
    ["a bad character on a later line, counted as a reader would", "SGVs\r\nbG8h\r\n  a*", /'\*' at line 3, column 4 is not base64/],
    ["data after the padding inside a group", "SG=s", /data after the '=' padding/],
    ["padding where no group can end", "S===", /'=' padding at line 1, column 2/],
  ])("%s", (_, body, expected) => {
    const got = base64Damage(Buffer.from(body, "latin1"));
    if (expected === null) expect(got).toBeNull();
    else expect(got).toMatch(expected);
  });
});

describe("markDamagedBase64", () => {
  it("leaves mail without a damaged part as the same bytes", () => {
    const raw = fixture("thunderbird-plain-with-attachment.eml");
    const marked = markDamagedBase64(raw);
    expect(marked.bytes).toBe(raw);
    expect(marked.damaged).toEqual([]);
  });

  it("finds the part by its place in the tree, nested multiparts included", () => {
    const raw = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="outer"', "", "--outer",
        'Content-Type: multipart/alternative; boundary="inner"', "", "--inner", "Content-Type: text/plain", "", "hi", "--inner",
        "Content-Type: text/html", "Content-Transfer-Encoding: base64", "", "PGI+aGk8L2I+!", "--inner--", "--outer--", "",
      ].join("\r\n"),
    );
    expect(markDamagedBase64(raw).damaged).toEqual([{ part: "1.2", reason: "'!' at line 1, column 13 is not base64" }]);
  });
});

describe("parseMessage with a damaged base64 part", () => {
  it("base64-attachment-bad-characters.eml: the log is kept as its encoded text, flagged; the text and the PDF as usual", async () => {
    const raw = fixture("base64-attachment-bad-characters.eml");
    const msg = await parseMessage(raw, DEFAULT_PARSE_LIMITS);
    expect(msg.text).toContain("the gateway times out talking to node-3");
    expect(msg.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ["gateway.log.damaged-base64.txt", "text/plain"],
      ["report-2026-11.pdf", "application/pdf"],
    ]);
    const [log, pdf] = msg.attachments;
    expect(log!.damaged).toEqual({ encoding: "base64", part: "2", reason: "'!' at line 2, column 21 is not base64", declaredType: "text/plain", name: "gateway.log" });
    // The bytes as they arrived, between the part's blank line and its boundary.
    const text = Buffer.from(log!.content).toString("latin1");
    expect(text.startsWith("MjAyNi0xMi0wM1QwODoxNDowMlogRVJST1IgZ2F0ZXdheTogdXBzdHJlYW0gY29ubmVjdCB0aW1l")).toBe(true);
    expect(text).toContain("IDMwMDAw!#%*IChub2RlLTMp");
    expect(log!.sha256).toBe(sha256(log!.content));
    expect(Buffer.from(pdf!.content).toString("latin1")).toMatch(/^%PDF-1\.4/);
    expect(pdf!.damaged).toBeUndefined();
    expect(msg.warnings.join("\n")).toMatch(/part 2 is not valid base64 .*kept as gateway\.log\.damaged-base64\.txt/);
    expect(msg.rawSize).toBe(raw.length);
    expect(msg.contentHash).toBe(sha256(raw));
  });

  it("base64-text-part-truncated.eml: the cut-off text is an attachment named by its part, not the body", async () => {
    const msg = await parseMessage(fixture("base64-text-part-truncated.eml"), DEFAULT_PARSE_LIMITS);
    expect(msg.text).toBe("");
    expect(msg.attachments.map((a) => a.filename)).toEqual(["part-1.damaged-base64.txt", "export-status.csv"]);
    expect(msg.attachments[0]!.damaged?.reason).toMatch(/not a multiple of 4 \(truncated\?\)/);
    expect(Buffer.from(msg.attachments[1]!.content).toString("utf8")).toContain("nightly-export,2026-12-02T02:00:00Z,stopped");
  });

  it("a message that is one damaged base64 part keeps its encoded text as an attachment", async () => {
    const raw = Buffer.from("From: a@customer.example\r\nSubject: s\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29y*bGQ\r\n");
    const msg = await parseMessage(raw, DEFAULT_PARSE_LIMITS);
    expect(msg.attachments.map((a) => [a.filename, Buffer.from(a.content).toString().trim()])).toEqual([["part-1.damaged-base64.txt", "SGVsbG8gd29y*bGQ"]]);
  });

  it("a marker header written by the sender flags nothing", async () => {
    const raw = Buffer.from(
      'From: a@customer.example\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n' +
        'Content-Type: application/octet-stream; name="x.bin"\r\nContent-Disposition: attachment; filename="x.bin"\r\nX-Support-Inbox-Damaged-Base64: 0/0\r\n\r\nabc\r\n--b--\r\n',
    );
    const msg = await parseMessage(raw, DEFAULT_PARSE_LIMITS);
    expect(msg.attachments.map((a) => [a.filename, a.damaged])).toEqual([["x.bin", undefined]]);
  });
});
