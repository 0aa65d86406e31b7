import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { classifyMessage, type ClassifyContext } from "./classify.js";
import { DEFAULT_PARSE_LIMITS, type NormalizedMessage } from "./message.js";
import { parseMessage } from "./parse.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/mail/", import.meta.url));
const parse = (name: string) => parseMessage(readFileSync(FIXTURES + name), DEFAULT_PARSE_LIMITS);
const ctx: ClassifyContext = { ourDomains: ["support-inbox.local"], ourAddresses: ["Support@Vendor.example"] };

/** A plain customer message; each test adds only the marker it is about. */
function msg(over: Partial<NormalizedMessage> = {}, headers: Record<string, string> = {}): NormalizedMessage {
  return {
    messageId: "m1@customer.example", inReplyTo: null, references: [],
    from: { address: "jane.doe@customer.example", name: "Jane Doe" }, to: [{ address: "support@vendor.example", name: "" }],
    cc: [], replyTo: [], subject: "Question about exports", date: null, text: "Hello", html: null,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]])),
    attachments: [], rawSize: 100, contentHash: "0".repeat(64), isReport: false, reportType: null,
    reportedMessageIds: [], droppedAttachments: [], warnings: [], ...over,
  };
}
const kind = (m: NormalizedMessage) => classifyMessage(m, ctx).kind;

describe("classifyMessage: fixtures", () => {
  it.each([
    ["template-full-vantiq.eml", "normal"],
    ["gmail-reply-quoted.eml", "normal"],
    ["outlook-html-only.eml", "normal"],
    ["forwarded-request.eml", "normal"],
    ["auto-reply-rfc3834.eml", "auto-reply"],
    ["out-of-office-subject-only.eml", "auto-reply"],
    ["bounce-dsn.eml", "bounce"],
    ["mailer-daemon-plain.eml", "bounce"],
    ["list-mail.eml", "list"],
    ["loop-our-own.eml", "loop"],
  ] as const)("%s → %s", async (file, expected) => {
    expect(kind(await parse(file))).toBe(expected);
  });

  it("gives a reason a person can read", async () => {
    expect(classifyMessage(await parse("auto-reply-rfc3834.eml"), ctx).reason).toBe("Auto-Submitted: auto-replied");
    expect(classifyMessage(await parse("bounce-dsn.eml"), ctx).reason).toMatch(/delivery-status/);
  });
});

describe("classifyMessage: rules", () => {
  it("a plain customer message is normal", () => expect(kind(msg())).toBe("normal"));

  it.each([
    ["Auto-Submitted", "auto-generated", "auto-reply"],
    ["Auto-Submitted", "auto-replied; owner-email=a@customer.example", "auto-reply"],
    ["Auto-Submitted", "no", "normal"],
    ["Auto-Submitted", " No ", "normal"],
    ["X-Autoreply", "yes", "auto-reply"],
    ["X-Autorespond", "Vacation", "auto-reply"],
    ["Precedence", "bulk", "auto-reply"],
    ["Precedence", "junk", "auto-reply"],
    ["Precedence", "list", "list"],
    ["Precedence", "first-class", "normal"],
    ["List-Id", "<eng.lists.customer.example>", "list"],
    ["List-Unsubscribe", "<mailto:u@lists.customer.example>", "list"],
    ["Return-Path", "<>", "bounce"],
    ["Return-Path", "<jane.doe@customer.example>", "normal"],
    ["X-Failed-Recipients", "left@customer.example", "bounce"],
    ["X-Loop", "support@vendor.example", "loop"],
    ["X-Loop", "helpdesk@other.example", "normal"],
  ])("%s: %s → %s", (name, value, expected) => {
    expect(kind(msg({}, { [name]: value }))).toBe(expected);
  });

  it.each([
    ["Out of Office: Re: [Case #1]", "auto-reply"],
    ["Automatic reply: Re: help", "auto-reply"],
    ["Auto: Re: help", "auto-reply"],
    ["AutoReply: on leave", "auto-reply"],
    ["Abwesenheitsnotiz: Ihre Anfrage", "auto-reply"],
    ["Réponse automatique : absent", "auto-reply"],
    ["Fuera de la oficina: Re: soporte", "auto-reply"],
    ["Re: Out of office detection in our app", "normal"],
    ["Automation rule fails", "normal"],
  ])("subject %j → %s", (subject, expected) => {
    expect(kind(msg({ subject }))).toBe(expected);
  });

  it("From MAILER-DAEMON or postmaster is a bounce", () => {
    expect(kind(msg({ from: { address: "mailer-daemon@mx.customer.example", name: "" } }))).toBe("bounce");
    expect(kind(msg({ from: { address: "postmaster@customer.example", name: "" } }))).toBe("bounce");
  });

  it("multipart/report of another type (read receipt) is not a bounce by itself", () => {
    expect(kind(msg({ isReport: true, reportType: "disposition-notification" }))).toBe("normal");
  });

  it("loop: our Message-ID domain or our mailbox as sender, case-insensitively", () => {
    expect(kind(msg({ messageId: "ack-9@Support-Inbox.LOCAL" }))).toBe("loop");
    expect(kind(msg({ from: { address: "support@vendor.example", name: "" } }))).toBe("loop");
    expect(kind(msg({ messageId: "ack-9@customer.example" }))).toBe("normal");
  });

  it("precedence: loop > bounce > auto-reply > list", () => {
    const all = { "X-Loop": "support@vendor.example", "Return-Path": "<>", "Auto-Submitted": "auto-replied", "List-Id": "<l.example>" };
    expect(kind(msg({}, all))).toBe("loop");
    const { "X-Loop": _l, ...noLoop } = all;
    expect(kind(msg({}, noLoop))).toBe("bounce");
    const { "Return-Path": _r, ...noBounce } = noLoop;
    expect(kind(msg({}, noBounce))).toBe("auto-reply");
    const { "Auto-Submitted": _a, ...noAuto } = noBounce;
    expect(kind(msg({}, noAuto))).toBe("list");
  });
});
