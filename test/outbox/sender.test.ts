import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmlSender, createSmtpSender, type OutgoingMail } from "../../src/outbox/sender.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";

const mail: OutgoingMail = {
  kind: "acknowledgment",
  caseNumber: 1042,
  from: "Support <support@vendor.example>",
  to: ["dana@customer.example"],
  cc: [],
  replyTo: "support@vendor.example",
  subject: "Re: [Case #1042] Namespace down",
  messageId: "abc123@support.vendor.example",
  inReplyTo: "CAF=req1@mail.customer.example",
  references: ["CAF=req1@mail.customer.example"],
  headers: { "Auto-Submitted": "auto-replied", "X-Loop": "support@vendor.example" },
  text: "We have received your request.",
  html: "<p>We have received your request.</p>",
  attachments: [],
  date: Date.parse("2026-11-20T16:00:00-08:00"),
};

describe("SMTP delivery against a real SMTP server", () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.stop();
  });

  it("delivers with our Message-ID, threading headers and RFC 3834 mark", async () => {
    const sender = createSmtpSender({ host: smtp.host, port: smtp.port, secure: false, pool: false });
    expect(await sender.send(mail)).toMatchObject({ status: "sent" });
    await sender.close();
    const got = smtp.received.at(-1)!;
    expect(got.envelopeTo).toEqual(["dana@customer.example"]);
    expect(got.parsed.messageId).toBe("<abc123@support.vendor.example>");
    expect(got.parsed.inReplyTo).toBe("<CAF=req1@mail.customer.example>");
    expect(got.parsed.headers.get("auto-submitted")).toBe("auto-replied");
    expect(got.parsed.subject).toBe("Re: [Case #1042] Namespace down");
  });

  it("calls a 4xx answer temporary and a 5xx answer permanent", async () => {
    const sender = createSmtpSender({ host: smtp.host, port: smtp.port, secure: false, pool: false });
    smtp.failWith = 451;
    expect(await sender.send(mail)).toMatchObject({ status: "temporary" });
    smtp.failWith = 550;
    expect(await sender.send(mail)).toMatchObject({ status: "permanent" });
    smtp.failWith = null;
    await sender.close();
  });

  it("calls a refused connection temporary", async () => {
    const down = await startSmtpServer();
    const port = down.port;
    await down.stop();
    const sender = createSmtpSender({ host: "127.0.0.1", port, secure: false, pool: false, timeoutSeconds: 2 });
    expect(await sender.send(mail)).toMatchObject({ status: "temporary" });
    await sender.close();
  });
});

describe(".eml outbox folder", () => {
  it("writes one parseable file per message, named for the kind, case and recipient", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outbox-"));
    const sender = createEmlSender(dir);
    expect(await sender.send(mail)).toMatchObject({ status: "sent" });
    // The same message again (a retry after a crash) replaces the file rather than adding a second one.
    await sender.send(mail);
    const files = readdirSync(dir);
    expect(files).toEqual(["20261121T000000Z-acknowledgment-case-1042-dana@customer.example-abc123.eml"]);
    const parsed = await simpleParser(readFileSync(join(dir, files[0]!)));
    expect(parsed.messageId).toBe("<abc123@support.vendor.example>");
    expect(parsed.text?.trim()).toBe("We have received your request.");
  });
});
