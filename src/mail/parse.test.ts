import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from "./message.js";
import { MailParseError, parseMessage } from "./parse.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/mail/", import.meta.url));
const raw = (name: string): Buffer => readFileSync(FIXTURES + name);
const parse = (name: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS) => parseMessage(raw(name), limits);
const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

describe("parseMessage: mail clients", () => {
  it("Outlook HTML-only quoted-printable mail gets readable text derived from the HTML", async () => {
    const m = await parse("outlook-html-only.eml");
    expect(m.html).toContain("WordSection1");
    expect(m.text).toContain("Name: Peter Novak\nCompany: Acme Logistics\n");
    expect(m.text).toContain("Environment: production – edge node");
    expect(m.text).toContain("- Open the edge node console & choose \"Deploy\"\n- The deployment stops with <certificate expired>");
    expect(m.text).toContain("Peter Novák");
    expect(m.text).not.toMatch(/font-family|&nbsp;|<o:p>|WordSection/);
    expect(m.from).toEqual({ address: "peter.novak@customer.example", name: "Peter Novak" });
    expect(m.messageId).toBe("AM6PR04MB5XYZ0123456789ABCDEF@AM6PR04MB5XYZ.eurprd04.prod.outlook.example");
  });

  it("Gmail reply keeps the plain part, threading ids without brackets, cc and date", async () => {
    const m = await parse("gmail-reply-quoted.eml");
    expect(m.subject).toBe("Re: [Case #1042] Event stream stops processing after namespace redeploy");
    expect(m.inReplyTo).toBe("reply-1042-2@support-inbox.local");
    expect(m.references).toEqual(["ack-1042@support-inbox.local", "reply-1042-2@support-inbox.local"]);
    expect(m.cc).toEqual([{ address: "li.wei@customer.example", name: "Li Wei" }]);
    expect(m.date).toBe(Date.UTC(2026, 10, 18, 16, 21, 40));
    expect(m.text).toMatch(/^Hi,\n\nThe workaround works/);
    expect(m.text).toContain("> please restart the source");
    expect(m.html).toContain("gmail_quote");
  });

  it("Apple Mail plain quoted-printable reply decodes soft line breaks", async () => {
    const m = await parse("apple-mail-plain.eml");
    expect(m.messageId).toBe("6E1B2A90-3C4D-4E5F-8A7B-1C2D3E4F5A6B@customer.example");
    expect(m.text).toContain("> On 18. Nov 2026, at 17:30, VANTIQ Support <support@vendor.example> wrote:\n");
    expect(m.html).toBeNull();
  });

  it("Thunderbird PDF attachment comes out with filename, type, size and sha256 of the decoded bytes", async () => {
    const m = await parse("thunderbird-plain-with-attachment.eml");
    expect(m.attachments).toHaveLength(1);
    const [pdf] = m.attachments;
    expect(pdf).toMatchObject({ filename: "report-2026-11.pdf", contentType: "application/pdf", inline: false });
    expect(Buffer.from(pdf!.content).subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
    expect(pdf!.size).toBe(pdf!.content.byteLength);
    expect(pdf!.sha256).toBe(sha(pdf!.content));
    expect(m.droppedAttachments).toEqual([]);
  });

  it("a forwarded request keeps the forwarded content in the text", async () => {
    const m = await parse("forwarded-request.eml");
    expect(m.subject).toBe("Fwd: Dashboard widgets show stale data");
    expect(m.text).toContain("Since this morning the \"Fleet\" dashboard");
  });

  it("the template fixture carries its export attachment", async () => {
    const m = await parse("template-full-vantiq.eml");
    expect(m.from?.address).toBe("jane.doe@customer.example");
    expect(m.text).toContain("Severity: 1\nEnvironment: production / public cloud\n");
    expect(m.attachments.map((a) => a.filename)).toEqual(["ProcessSensorReading.json"]);
    expect(Buffer.from(m.attachments[0]!.content).toString("utf8")).toContain('"namespace": "acme_prod"');
  });
});

describe("parseMessage: charsets", () => {
  it("Windows-1252 subject, sender name, body (€, smart quotes) and a text attachment", async () => {
    const m = await parse("windows-1252-with-attachment.eml");
    expect(m.subject).toBe("Quota dépassé – coût €");
    expect(m.from?.name).toBe("François Dupré");
    expect(m.text).toContain("Le coût annoncé est de 120 € par mois.");
    expect(m.text).toContain("Le message d’erreur dit “quota exceeded”.");
    const log = m.attachments[0]!;
    expect(log.filename).toBe("source-log.txt");
    expect(Buffer.from(log.content).toString("utf8")).toContain("quota exceeded");
    expect(log.size).toBe(123);
    expect(log.sha256).toBe(sha(log.content));
  });

  it("KOI8-R Russian", async () => {
    const m = await parse("koi8r-russian.eml");
    expect(m.subject).toBe("Ошибка при запуске");
    expect(m.from?.name).toBe("Иван Петров");
    expect(m.text).toContain("Приложение не запускается после обновления.");
  });

  it("ISO-2022-JP Japanese", async () => {
    const m = await parse("iso-2022-jp.eml");
    expect(m.subject).toBe("ログインできません");
    expect(m.from?.name).toBe("山田太郎");
    expect(m.text).toContain("お世話になっております。");
  });
});

describe("parseMessage: identity, reports and malformed mail", () => {
  it("no Message-ID → null, contentHash is the sha256 of the raw bytes", async () => {
    const m = await parse("no-message-id.eml");
    expect(m.messageId).toBeNull();
    expect(m.contentHash).toBe(sha(raw("no-message-id.eml")));
    expect(m.rawSize).toBe(raw("no-message-id.eml").length);
  });

  it("DSN: multipart/report with the original Message-ID from text/rfc822-headers", async () => {
    const m = await parse("bounce-dsn.eml");
    expect(m.isReport).toBe(true);
    expect(m.reportType).toBe("delivery-status");
    expect(m.reportedMessageIds).toEqual(["ack-123@support-inbox.local"]);
    expect(m.from?.address).toBe("mailer-daemon@mx.customer.example");
    expect(m.headers["return-path"]).toEqual(["<>"]);
  });

  it("plain MAILER-DAEMON bounce: the original Message-ID is found in the quoted copy", async () => {
    const m = await parse("mailer-daemon-plain.eml");
    expect(m.isReport).toBe(false);
    expect(m.reportedMessageIds).toEqual(["update-1047-3@support-inbox.local"]);
  });

  it("DragonFly bounce: From MAILER-DAEMON <> has no address, the returned headers still name our message", async () => {
    const m = await parse("bounce-dragonfly-null-from.eml");
    expect(m.from).toBeNull();
    expect(m.headers["from"]).toEqual(["MAILER-DAEMON <>"]);
    expect(m.reportedMessageIds).toEqual(["720f05ab8bb4a70c5b66266796824d3a@support-inbox.local"]);
  });

  it("a report with an inline message/rfc822 part: the Message-ID mailparser leaves out is read from the raw body", async () => {
    const m = await parse("feedback-report-without-report-type.eml");
    expect(m).toMatchObject({ isReport: true, reportType: null });
    expect(m.reportedMessageIds).toEqual(["a1dcb4c478f21883346decce183d476c@support-inbox.local"]);
  });

  it("two From headers, the first garbage: the first valid address is the sender", async () => {
    const m = await parse("two-from-headers-first-garbage.eml");
    expect(m.from).toEqual({ address: "jane.doe@customer.example", name: "Jane Doe" });
    expect(m.warnings.join("\n")).toMatch(/later From header used/);
  });

  it("headers are kept raw by lowercased name, in order, unfolded", async () => {
    const m = await parse("dmarc-fail-auth-results.eml");
    expect(m.headers["authentication-results"]).toHaveLength(2);
    expect(m.headers["authentication-results"]![0]).toMatch(/^mx\.vendor\.example;\s+dkim=none;.*dmarc=fail/);
    expect(m.headers["authentication-results"]![0]).not.toContain("\n");
  });

  it("garbage headers do not throw: unusable fields are null/empty with warnings, body kept", async () => {
    const m = await parse("malformed-headers.eml");
    expect(m.messageId).toBeNull();
    expect(m.date).toBeNull();
    expect(m.from).toBeNull();
    expect(m.inReplyTo).toBe("unterminated@customer.example");
    expect(m.warnings.join("\n")).toMatch(/Date header.*\n?[\s\S]*From/);
    expect(m.text).toContain("Body text that should survive somehow.");
    expect(m.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("an empty input is not a crash either", async () => {
    const m = await parseMessage(Buffer.alloc(0), DEFAULT_PARSE_LIMITS);
    expect(m).toMatchObject({ messageId: null, from: null, subject: "", text: "" });
  });

  it("a message without attachments survives a JSON round trip", async () => {
    const m = await parse("gmail-reply-quoted.eml");
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
});

describe("parseMessage: limits", () => {
  const twoAttachments = (sizes: number[]): Buffer => {
    const parts = sizes.map((n, i) =>
      [`--B`, `Content-Type: application/octet-stream; name="f${i}.bin"`, `Content-Disposition: attachment; filename="f${i}.bin"`, `Content-Transfer-Encoding: base64`, ``, Buffer.alloc(n, i + 1).toString("base64").replace(/.{76}/g, "$&\r\n")].join("\r\n"),
    );
    return Buffer.from(
      ["From: a@customer.example", "To: support@vendor.example", "Subject: files", "Message-ID: <files@customer.example>", 'Content-Type: multipart/mixed; boundary="B"', "", "--B", "Content-Type: text/plain", "", "see files", ...parts, "--B--", ""].join("\r\n"),
    );
  };

  it("over maxMessageBytes: the largest attachments are dropped until it fits, the message still parses", async () => {
    const m = await parseMessage(twoAttachments([1000, 20000, 3000]), { ...DEFAULT_PARSE_LIMITS, maxMessageBytes: 10000 });
    expect(m.text.trim()).toBe("see files");
    expect(m.droppedAttachments).toEqual([{ filename: "f1.bin", size: 20000, reason: "message-too-large" }]);
    expect(m.attachments.map((a) => a.filename)).toEqual(["f0.bin", "f2.bin"]);
  });

  it("over maxAttachments: the extras are dropped and listed", async () => {
    const m = await parseMessage(twoAttachments([10, 20, 30]), { ...DEFAULT_PARSE_LIMITS, maxAttachments: 1 });
    expect(m.attachments.map((a) => a.filename)).toEqual(["f0.bin"]);
    expect(m.droppedAttachments).toEqual([
      { filename: "f1.bin", size: 20, reason: "too-many-attachments" },
      { filename: "f2.bin", size: 30, reason: "too-many-attachments" },
    ]);
  });

  it("header block over maxHeaderBytes → MailParseError E_MAIL_HEADERS_TOO_LARGE", async () => {
    const err = await parse("template-full-vantiq.eml", { ...DEFAULT_PARSE_LIMITS, maxHeaderBytes: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailParseError);
    expect(err).toMatchObject({ code: "E_MAIL_HEADERS_TOO_LARGE" });
    expect((err as Error).message).toMatch(/over the limit of 200/);
  });
});
