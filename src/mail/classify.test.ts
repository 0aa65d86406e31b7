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
    // One per server style: each bounce returns one of our acknowledgments.
    ["bounce-dragonfly-null-from.eml", "bounce"], // From: MAILER-DAEMON <>, no Return-Path, plain text
    ["bounce-exim-failed-recipients.eml", "bounce"], // plain text, X-Failed-Recipients
    ["bounce-sendmail-dsn.eml", "bounce"],
    ["bounce-exchange-online-ndr.eml", "bounce"], // From "Microsoft Outlook", decided by the report
    ["bounce-gmail-dsn.eml", "bounce"],
    ["feedback-report-arf-amazon-ses.eml", "report"],
    ["feedback-report-without-report-type.eml", "report"],
    ["vacation-sieve-null-return-path.eml", "auto-reply"], // Return-Path <> yet Auto-Submitted decides
    ["out-of-office-exchange-null-return-path.eml", "auto-reply"], // Return-Path <> yet the subject decides
    ["jira-notification-fingerprint-only.eml", "auto-reply"],
    ["github-notification-headers.eml", "auto-reply"],
    ["ticketing-znuny-x-mailer.eml", "auto-reply"],
    ["ses-notification-feedback-id-only.eml", "auto-reply"],
    ["two-from-headers-first-garbage.eml", "normal"],
  ] as const)("%s → %s", async (file, expected) => {
    expect(kind(await parse(file))).toBe(expected);
  });

  it("gives a reason a person can read", async () => {
    expect(classifyMessage(await parse("auto-reply-rfc3834.eml"), ctx).reason).toBe("Auto-Submitted: auto-replied");
    expect(classifyMessage(await parse("bounce-dsn.eml"), ctx).reason).toMatch(/delivery-status/);
    expect(classifyMessage(await parse("bounce-dragonfly-null-from.eml"), ctx).reason).toBe("From display name MAILER-DAEMON with a null address");
    expect(classifyMessage(await parse("feedback-report-without-report-type.eml"), ctx).reason).toMatch(/feedback report \(ARF\)/);
    expect(classifyMessage(await parse("jira-notification-fingerprint-only.eml"), ctx).reason).toBe("machine notification: x-jira-fingerprint header");
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
    // Machine notifications that carry only their vendor's marker.
    ["X-JIRA-FingerPrint", "3c9f2b1d7e6a4c58", "auto-reply"],
    ["X-GitHub-Reason", "mention", "auto-reply"],
    ["X-GitLab-Project", "edge-deploy", "auto-reply"],
    ["Feedback-ID", "1.us-east-1.abc=:AmazonSES", "auto-reply"],
    ["X-Mailer", "OTRS Mail Service (6.0.30)", "auto-reply"],
    ["X-Mailer", "Zammad Mail Service", "auto-reply"],
    ["X-Mailer", "Microsoft Outlook 16.0", "normal"],
    ["X-Mailer", "Apple Mail (2.3774.600.62)", "normal"],
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

  it("multipart/report of another type (read receipt) is not a bounce by itself, but a machine's report", () => {
    // Was "normal" before issue 14: every multipart/report is automatic mail, a read receipt too.
    expect(kind(msg({ isReport: true, reportType: "disposition-notification" }))).toBe("report");
  });

  it("bounce: a daemon's display name, a null address, or delivery-status fields in a report", () => {
    const nullFrom = { from: null, headers: { from: ["Mail Delivery System <>"] } };
    expect(kind(msg(nullFrom))).toBe("bounce");
    expect(kind(msg({ from: { address: "noc@relay.customer.example", name: "Mail Delivery Subsystem" } }))).toBe("bounce");
    const dsnText = "Reporting-MTA: dns; mx.customer.example\n\nFinal-Recipient: rfc822; a@customer.example\nAction: failed\nStatus: 5.1.1\n";
    expect(kind(msg({ isReport: true, reportType: null, text: dsnText }))).toBe("bounce");
    expect(kind(msg({ isReport: true, reportType: null }))).toBe("report");
    // The same fields quoted by a person (a forwarded bounce) are no report structure.
    expect(kind(msg({ text: dsnText }))).toBe("normal");
  });

  it("bounce: a null sender returning our message decides before Auto-Submitted; any other null sender after it", () => {
    const ours = { reportedMessageIds: ["0bbfd72c8fd580162c58dfe58aacc84c@support-inbox.local"] };
    expect(kind(msg(ours, { "Return-Path": "<>", "Auto-Submitted": "auto-replied" }))).toBe("bounce");
    expect(kind(msg({}, { "Return-Path": "<>", "Auto-Submitted": "auto-replied" }))).toBe("auto-reply");
    expect(kind(msg({ subject: "Automatic reply: Re: [Case #7] help" }, { "Return-Path": "<>" }))).toBe("auto-reply");
    // A person forwarding our acknowledgment as an attachment returns our message too, with a sender.
    expect(kind(msg(ours))).toBe("normal");
  });

  it("feedback report part outside a multipart/report is a report", () => {
    const part = { filename: "attachment", contentType: "message/feedback-report", size: 1, sha256: "0", content: new Uint8Array(), inline: false };
    expect(kind(msg({ attachments: [part] }))).toBe("report");
  });

  it("loop: our Message-ID domain or our mailbox as sender, case-insensitively", () => {
    expect(kind(msg({ messageId: "ack-9@Support-Inbox.LOCAL" }))).toBe("loop");
    expect(kind(msg({ from: { address: "support@vendor.example", name: "" } }))).toBe("loop");
    expect(kind(msg({ messageId: "ack-9@customer.example" }))).toBe("normal");
  });

  it("precedence: loop > bounce > auto-reply > list", () => {
    // The bounce is X-Failed-Recipients: a bare Return-Path <> yields to Auto-Submitted (RFC 3834 vacation replies).
    const all = { "X-Loop": "support@vendor.example", "X-Failed-Recipients": "a@customer.example", "Auto-Submitted": "auto-replied", "List-Id": "<l.example>" };
    expect(kind(msg({}, all))).toBe("loop");
    const { "X-Loop": _l, ...noLoop } = all;
    expect(kind(msg({}, noLoop))).toBe("bounce");
    const { "X-Failed-Recipients": _r, ...noBounce } = noLoop;
    expect(kind(msg({}, noBounce))).toBe("auto-reply");
    const { "Auto-Submitted": _a, ...noAuto } = noBounce;
    expect(kind(msg({}, noAuto))).toBe("list");
    // List mail from a code host is list mail, not a notification recorded on a case.
    expect(kind(msg({}, { ...noAuto, "X-GitHub-Reason": "subscribed" }))).toBe("list");
  });
});
