/** Raw 8-bit header lines read by detection (raw-headers.ts), over real mail bytes and table-driven bytes. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { DEFAULT_PARSE_LIMITS } from "./message.js";
import { parseMessage } from "./parse.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/mail/${name}`, import.meta.url)));

describe("raw 8-bit headers", () => {
  it.each([
    ["raw-8bit-subject-gb2312-foxmail.eml", "[Sev2] 生产环境服务器无法启动，请尽快处理", "张伟", /gb2312 \(declared\)/],
    ["raw-8bit-subject-latin1-undeclared.eml", "[Sev3] Problème de connexion après la mise à jour", "François Dupré", /\(detected\)/],
    ["raw-8bit-subject-shift-jis.eml", "[Sev3] 本番環境でサーバーが起動しません", "田中太郎", /(shift_jis|cp932) \(detected\)/i],
    ["raw-8bit-subject-big5.eml", "[Sev3] 資料庫連線逾時問題", "陳美玲", /big5 \(declared\)/],
  ])("%s: subject and sender name decoded, the charset noted", async (file, subject, name, note) => {
    const msg = await parseMessage(fixture(file), DEFAULT_PARSE_LIMITS);
    expect(msg.subject).toBe(subject);
    expect(msg.from?.name).toBe(name);
    expect(msg.headers.subject).toEqual([subject]);
    expect(msg.warnings.join("\n")).toMatch(note);
  });

  it("keeps the raw bytes' identity: size and hash are of the bytes as received", async () => {
    const raw = fixture("raw-8bit-subject-gb2312-foxmail.eml");
    const msg = await parseMessage(raw, DEFAULT_PARSE_LIMITS);
    expect(msg.rawSize).toBe(raw.length);
  });

  it("leaves UTF-8 headers (RFC 6532) and ASCII mail untouched", async () => {
    const utf8 = Buffer.from("From: Zoë <zoe@example.com>\r\nSubject: Grüße – 服务器\r\n\r\nbody\r\n", "utf8");
    const msg = await parseMessage(utf8, DEFAULT_PARSE_LIMITS);
    expect(msg.subject).toBe("Grüße – 服务器");
    expect(msg.headers.subject).toEqual(["Grüße – 服务器"]);
    expect(msg.warnings).toEqual([]);
  });

  it("a Windows-1252 subject with no hint at all is read as Windows-1252, never as U+FFFD", async () => {
    const raw = Buffer.concat([Buffer.from("From: a@example.com\r\nSubject: "), iconv.encode("Fehler beim Öffnen – größer", "windows-1252"), Buffer.from("\r\n\r\nbody\r\n")]);
    const msg = await parseMessage(raw, DEFAULT_PARSE_LIMITS);
    expect(msg.subject).not.toContain("\ufffd");
    expect(msg.subject).toMatch(/^Fehler beim Öffnen . größer$/);
  });
});
