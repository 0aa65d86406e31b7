import { describe, expect, it } from "vitest";
import { extractCaseToken, threadDecision, threadLookupKeys, type ThreadInput } from "./threading.js";

describe("extractCaseToken", () => {
  it.each([
    ["[Case #1234] Rule not firing", 1234],
    ["Re: [Case #1234] Rule not firing", 1234],
    ["AW: Fwd: RE: [Case #77] x", 77],
    ["Re:[case #1234]", 1234],
    ["Re: [ Case # 1234 ] spaced", 1234],
    ["[CASE#1234]", 1234],
    ["Question about case 1234", null],
    ["[Case #] empty", null],
    ["[Case #0] zero", null],
    ["", null],
  ])("%j → %j", (subject, expected) => {
    expect(extractCaseToken(subject)).toBe(expected);
  });

  it.each([
    ["{number}", "Ticket 42", 42],
    ["#{number}", "Re: problem #42 again", 42],
    ["Ticket {number}:", "Re: Ticket 42: down", 42],
    ["Ticket {number}:", "Re: Ticket42 : down", 42],
    ["SR-{number}", "Fwd: SR-0099 gateway", 99],
    ["SR-{number}", "Fwd: XSR-99", null],
    ["(ACME-{number})", "Re: (acme-7) hi", 7],
  ])("format %j in %j → %j", (format, subject, expected) => {
    expect(extractCaseToken(subject, format)).toBe(expected);
  });

  it("refuses a format without {number}", () => {
    expect(() => extractCaseToken("x", "[Case]")).toThrow(/must contain \{number\}/);
  });
});

const input = (over: Partial<ThreadInput> & { subject?: string; inReplyTo?: string | null; references?: string[] }): ThreadInput => ({
  msg: { subject: over.subject ?? "Re: [Case #12] hello", inReplyTo: over.inReplyTo ?? null, references: over.references ?? [] },
  byMessageId: over.byMessageId ?? new Map(),
  tokenCase: over.tokenCase ?? null,
  sender: over.sender ?? "ana@acme.example",
});

const case12 = { number: 12, participants: ["Ana@Acme.example"], organizationContacts: ["bob@acme.example", "ana@acme.example"] };

describe("threadDecision", () => {
  it("joins the case whose message In-Reply-To names, whoever sends it", () => {
    const d = threadDecision(input({ inReplyTo: "a@x", references: ["b@x"], byMessageId: new Map([["a@x", 5], ["b@x", 6]]), sender: "stranger@else.example" }));
    expect(d).toEqual({ kind: "join", caseNumber: 5, via: "in-reply-to" });
  });

  it("falls back to References, newest first", () => {
    const d = threadDecision(input({ inReplyTo: "unknown@x", references: ["old@x", "mid@x", "new@x"], byMessageId: new Map([["old@x", 1], ["mid@x", 2]]) }));
    expect(d).toEqual({ kind: "join", caseNumber: 2, via: "references" });
  });

  it("prefers the headers over the subject token", () => {
    expect(threadDecision(input({ inReplyTo: "a@x", byMessageId: new Map([["a@x", 5]]), tokenCase: case12 }))).toMatchObject({ caseNumber: 5 });
  });

  it("joins by subject token when the sender is a participant (any case) or an organization contact", () => {
    expect(threadDecision(input({ tokenCase: case12, sender: "ANA@acme.example" }))).toEqual({ kind: "join", caseNumber: 12, via: "token" });
    expect(threadDecision(input({ tokenCase: case12, sender: "bob@acme.example" }))).toEqual({ kind: "join", caseNumber: 12, via: "token" });
  });

  it("does not attach a subject token from a stranger, and says why", () => {
    const d = threadDecision(input({ tokenCase: case12, sender: "mallory@evil.example" }));
    expect(d.kind).toBe("new");
    expect(d.kind === "new" && d.reason).toMatch(/case #12.*mallory@evil\.example is neither a participant/);
  });

  it("treats a token naming no case, and a message with nothing to go on, as new", () => {
    expect(threadDecision(input({ subject: "Re: [Case #999] x" }))).toEqual({ kind: "new", reason: "the subject names case #999, which does not exist" });
    expect(threadDecision(input({ subject: "Hello" }))).toEqual({ kind: "new" });
  });
});

describe("threadLookupKeys", () => {
  it("lists In-Reply-To and References once each, and the token", () => {
    expect(threadLookupKeys({ inReplyTo: "b@x", references: ["a@x", "b@x"], subject: "Re: [Case #3] x" })).toEqual({
      messageIds: ["b@x", "a@x"],
      caseToken: 3,
    });
  });

  it("adds the messages a bounce reports", () => {
    expect(threadLookupKeys({ inReplyTo: null, references: [], reportedMessageIds: ["out-1@support-inbox.local"], subject: "Undelivered" })).toEqual({
      messageIds: ["out-1@support-inbox.local"],
      caseToken: null,
    });
  });
});
