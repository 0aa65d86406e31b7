import { describe, expect, it } from "vitest";
import { caseSubject, headerSafe, messageIdFor, standardHeaders, threadRefs } from "./headers.js";

describe("outgoing headers", () => {
  it("flattens CR/LF so customer text cannot inject a header", () => {
    const evil = "Broken\r\nBcc: victim@example.com\r\nX-Evil: 1";
    const safe = headerSafe(evil);
    expect(safe).not.toMatch(/[\r\n]/);
    expect(safe).toBe("Broken Bcc: victim@example.com X-Evil: 1");
  });

  it("prefixes the case token once, whatever the customer's subject already carries", () => {
    const f = "[Case #{number}]";
    expect(caseSubject(f, 1234, "Login fails")).toBe("Re: [Case #1234] Login fails");
    expect(caseSubject(f, 1234, "RE: Re: [Case #1234] Login fails")).toBe("Re: [Case #1234] Login fails");
    expect(caseSubject(f, 7, "AW: Fwd: Server down")).toBe("Re: [Case #7] Server down");
  });

  it("keeps the same Message-ID for the same idempotency key", () => {
    const a = messageIdFor("case:12:ack", "support.vendor.example");
    expect(a).toBe(messageIdFor("case:12:ack", "support.vendor.example"));
    expect(a).not.toBe(messageIdFor("case:13:ack", "support.vendor.example"));
    expect(a).toMatch(/^[0-9a-f]{32}@support\.vendor\.example$/);
  });

  it("gives the same key another Message-ID in another installation", () => {
    const here = messageIdFor("case:1:acknowledgment", "support.vendor.example", "0f3c9a");
    expect(here).toBe(messageIdFor("case:1:acknowledgment", "support.vendor.example", "0f3c9a"));
    expect(here).not.toBe(messageIdFor("case:1:acknowledgment", "support.vendor.example", "77ab01"));
  });

  it("answers a message with In-Reply-To its id and References ending with it", () => {
    expect(threadRefs({ messageId: "c@x", references: ["a@x", "b@x"] })).toEqual({
      inReplyTo: "c@x",
      references: ["a@x", "b@x", "c@x"],
    });
    expect(threadRefs(null)).toEqual({ inReplyTo: null, references: [] });
  });

  it("marks acknowledgments auto-replied and reminders auto-generated (RFC 3834)", () => {
    expect(standardHeaders("acknowledgment", "support@vendor.example")["Auto-Submitted"]).toBe("auto-replied");
    expect(standardHeaders("reminder", "support@vendor.example")["Auto-Submitted"]).toBe("auto-generated");
    expect(standardHeaders("relay", "support@vendor.example")["Auto-Submitted"]).toBeUndefined();
    expect(standardHeaders("relay", "support@vendor.example")["X-Loop"]).toBe("support@vendor.example");
  });
});
