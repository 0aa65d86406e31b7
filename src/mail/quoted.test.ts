import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_PARSE_LIMITS } from "./message.js";
import { parseMessage } from "./parse.js";
import { isForwardSubject, stripQuotedHistory } from "./quoted.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/mail/", import.meta.url));
const parse = (name: string) => parseMessage(readFileSync(FIXTURES + name), DEFAULT_PARSE_LIMITS);
const t = (...lines: string[]) => lines.join("\n");

describe("stripQuotedHistory: table", () => {
  it.each([
    ["plain text without history is unchanged", t("Hello,", "", "it fails.", ""), t("Hello,", "", "it fails.", "")],
    ["Gmail: attribution and > lines", t("Works now.", "", "On Tue, Nov 17, 2026 at 4:55 PM VANTIQ Support <support@vendor.example> wrote:", "", "> Hello Jane,", ">", "> > Severity: 1"), "Works now.\n"],
    ["Gmail: attribution wrapped over two lines", t("Thanks", "On Tue, Nov 17, 2026 at 4:55 PM Very Long Name <very.long.name@", "customer.example> wrote:", "> old"), "Thanks\n"],
    ["Apple Mail: quoted attribution", t("Done.", "", "> On 18. Nov 2026, at 17:30, VANTIQ Support <support@vendor.example> wrote:", ">", "> old"), "Done.\n"],
    ["Thunderbird: short attribution", t("See attached.", "", "On 11/19/26 09:12, VANTIQ Support wrote:", "> Could you attach it?"), "See attached.\n"],
    ["French attribution", t("Merci", "Le mar. 17 nov. 2026 à 16:55, Support <support@vendor.example> a écrit :", "> Bonjour"), "Merci\n"],
    ["German attribution", t("Danke", "Am 17.11.2026 um 16:55 schrieb Support <support@vendor.example>:", "> Hallo"), "Danke\n"],
    ["loose '<name> wrote:' followed by quotes", t("Yes", "Jane Doe <jane@customer.example> wrote:", "> question?"), "Yes\n"],
    ["'wrote:' not followed by quotes is kept", t("The operator wrote:", "restart everything"), "The operator wrote:\nrestart everything\n"],
    ["inline replies between quoted blocks are kept", t("> Which version?", "1.41.3", "", "> Which namespace?", "acme_prod"), "1.41.3\n\nacme_prod\n"],
    ["Outlook: -----Original Message----- and everything after", t("Please check.", "", "-----Original Message-----", "From: Support", "Sent: Monday", "old text"), "Please check.\n"],
    ["Outlook: underscore separator and header block", t("Reply here", "", "________________________________", "From: VANTIQ Support <support@vendor.example>", "Sent: Monday, November 16, 2026 5:40 PM", "To: Jane", "Subject: RE: case", "", "old"), "Reply here\n"],
    ["Outlook: bare From/Sent/To/Subject block (HTML-derived)", t("Kind regards,", "Peter", "", "From: Anna <anna@customer.example>", "Sent: Monday, November 16, 2026 5:40 PM", "To: Peter", "Subject: edge deployment", "", "Peter, can you raise this?"), "Kind regards,\nPeter\n"],
    ["German Outlook block", t("Siehe unten", "Von: Anna", "Gesendet: Montag, 16. November 2026 17:40", "An: Peter", "Betreff: Frage"), "Siehe unten\n"],
    ["signature after '-- '", t("Body", "", "-- ", "Jane Doe | Acme", "+1 555 0100"), "Body\n"],
    ["forward kept verbatim, forwarder's signature above it removed", t("Please handle.", "-- ", "Jane", "", "---------- Forwarded message ---------", "From: Ops <ops@customer.example>", "Date: Fri, Nov 20, 2026", "Subject: stale data", "", "> quoted inside the forward stays", "Steps: open it"), t("Please handle.", "---------- Forwarded message ---------", "From: Ops <ops@customer.example>", "Date: Fri, Nov 20, 2026", "Subject: stale data", "", "> quoted inside the forward stays", "Steps: open it", "")],
    ["Apple 'Begin forwarded message:' kept", t("FYI", "", "Begin forwarded message:", "", "From: Ops", "Subject: x", "Date: y", "", "the request"), t("FYI", "", "Begin forwarded message:", "", "From: Ops", "Subject: x", "Date: y", "", "the request", "")],
    ["CRLF input, blank runs collapsed", "a\r\n\r\n\r\nb\r\n> q\r\n", "a\n\nb\n"],
    ["all quoted → empty", t("> only", "> quotes"), ""],
  ])("%s", (_name, input, expected) => {
    expect(stripQuotedHistory(input)).toBe(expected);
  });

  it("an Outlook forward (no marker, only a header block) is kept with isForward", () => {
    const body = t("Please look at this.", "", "From: Ops <ops@customer.example>", "Sent: Friday, November 20, 2026 6:02 PM", "To: Jane", "Subject: stale data", "", "Dashboard is stale.");
    expect(stripQuotedHistory(body)).toBe("Please look at this.\n");
    expect(stripQuotedHistory(body, { isForward: true })).toContain("Dashboard is stale.");
  });

  it.each([["Fwd: x", true], ["FW: x", true], ["WG: x", true], ["Re: x", false], ["Forward planning", false]])("isForwardSubject(%j) = %s", (s, expected) => {
    expect(isForwardSubject(s)).toBe(expected);
  });
});

describe("stripQuotedHistory on parsed fixtures", () => {
  it("Gmail reply: only the new text remains", async () => {
    const m = await parse("gmail-reply-quoted.eml");
    expect(stripQuotedHistory(m.text)).toBe("Hi,\n\nThe workaround works: after restarting the source the events flow again.\nWe can lower the severity to 3.\n\nJane\n");
  });

  it("Outlook HTML-only: the From/Sent/To/Subject history is removed from the derived text", async () => {
    const out = stripQuotedHistory((await parse("outlook-html-only.eml")).text);
    expect(out).toContain("Severity: 2");
    expect(out).toMatch(/Peter Novák\n$/);
    expect(out).not.toContain("can you raise this");
  });

  it("Thunderbird: quote and signature removed", async () => {
    const out = stripQuotedHistory((await parse("thunderbird-plain-with-attachment.eml")).text);
    expect(out).toBe("Hello,\n\nthe exported report is attached (report-2026-11.pdf). It has one empty\npage, although the table has 312 rows.\n");
  });

  it("label-on-next-line template: the quoted older 'Severity 1' is gone, the new fields stay", async () => {
    const out = stripQuotedHistory((await parse("template-label-next-line.eml")).text);
    expect(out).toContain("Severity\n4\n");
    expect(out).not.toContain("> Severity");
    expect(out).not.toMatch(/wrote:/);
  });

  it("forwarded request: the forwarded content is kept", async () => {
    const out = stripQuotedHistory((await parse("forwarded-request.eml")).text);
    expect(out).toContain("Since this morning the \"Fleet\" dashboard");
    expect(out).toContain("Steps to reproduce:");
  });
});
