import { describe, expect, it } from "vitest";
import type { NormalizedMessage } from "../mail/message.js";
import { loadBundledPolicies } from "../policy/load.js";
import { decideInbound } from "./decide.js";
import { toDryRunJson } from "./dry-run-json.js";
import type { ContactInfo, InboundContext, InboundDecision } from "./inbound-decision.js";

const NOW = Date.UTC(2026, 10, 16, 15, 0);
const policies = loadBundledPolicies();

const msg = (over: Partial<NormalizedMessage> = {}): NormalizedMessage => ({
  messageId: "m1@customer.example",
  inReplyTo: null,
  references: [],
  from: { address: "ana@acme.example", name: "Ana Souza" },
  to: [{ address: "support@vendor.example", name: "" }],
  cc: [],
  replyTo: [],
  subject: "Rule not firing",
  date: NOW,
  text: "Severity: 2\nEnvironment: production\n\nThanks,\nAna\n",
  html: null,
  headers: {},
  attachments: [],
  rawSize: 500,
  contentHash: "ab".repeat(32),
  isReport: false,
  reportType: null,
  reportedMessageIds: [],
  droppedAttachments: [],
  warnings: [],
  ...over,
});

const acme = { name: "Acme", policyId: "vantiq", entitlements: [], domains: ["acme.example"], timeZone: null };
const dtc: ContactInfo = { email: "ana@acme.example", name: "Ana Souza", dtc: true, active: true, organization: acme };

type CtxOver = Partial<Omit<InboundContext, "sender" | "thread" | "config">> & {
  sender?: Partial<InboundContext["sender"]>;
  thread?: Partial<InboundContext["thread"]>;
  config?: Partial<InboundContext["config"]>;
};
const ctx = (over: CtxOver = {}): InboundContext => ({
  mailbox: { name: "support", address: "support@vendor.example", defaultPolicy: "vantiq" },
  policies,
  autoReplyCount: 0,
  ...over,
  sender: { contact: dtc, staff: null, domainOrganization: null, ...over.sender },
  thread: { byMessageId: new Map(), tokenCase: null, cases: new Map(), ...over.thread },
  config: {
    autoReplyCapPerHour: 5,
    unknownSenders: "reply",
    caseTokenFormat: "[Case #{number}]",
    ourDomains: ["support-inbox.local"],
    ourAddresses: ["support@vendor.example"],
    requireDkimOrSpf: false,
    ...over.config,
  },
});

const decide = (m: NormalizedMessage, c: InboundContext): InboundDecision => decideInbound(m, c, NOW);
const stranger = { contact: null, domainOrganization: null };

describe("decideInbound: who may open a case", () => {
  it("opens a case for an active DTC, with template fields, severity, case type and missing fields", () => {
    const d = decide(msg(), ctx());
    expect(d).toMatchObject({
      outcome: "new-case",
      authorization: "dtc",
      policyId: "vantiq",
      caseType: "incident",
      severity: { id: "2", source: "field" },
      environment: "production",
      fields: { severity: "2", environment: "production" },
      missingFields: ["name", "company", "email", "version", "namespaces", "stepsToReproduce"],
      requester: { email: "ana@acme.example", name: "Ana Souza" },
      acknowledge: true,
      decidedAt: NOW,
    });
  });

  it("matches the DTC by exact address only: a colleague at the organization's domain is refused as non-DTC", () => {
    const d = decide(msg({ from: { address: "bob@acme.example", name: "Bob" } }), ctx({ sender: { contact: null, domainOrganization: { name: "Acme" } } }));
    expect(d).toMatchObject({ outcome: "refuse", reason: "non-dtc", reply: true, authorization: "non-dtc", organizationName: "Acme" });
    // The refusal must not reveal who the DTCs are.
    expect(d.outcome === "refuse" && d.detail).not.toContain("ana@");
  });

  it("refuses a known non-DTC contact and an inactive DTC", () => {
    expect(decide(msg(), ctx({ sender: { contact: { ...dtc, dtc: false } } }))).toMatchObject({ outcome: "refuse", reason: "non-dtc" });
    expect(decide(msg(), ctx({ sender: { contact: { ...dtc, active: false } } }))).toMatchObject({ outcome: "refuse", reason: "inactive-contact", authorization: "non-dtc" });
  });

  it("answers or ignores an unknown sender by config", () => {
    expect(decide(msg(), ctx({ sender: stranger }))).toMatchObject({ outcome: "refuse", reason: "unknown-sender", reply: true, authorization: "unknown" });
    expect(decide(msg(), ctx({ sender: stranger, config: { unknownSenders: "silent" } }))).toMatchObject({ outcome: "refuse", reply: false });
  });

  it("stops automatic replies at the per-sender cap, acknowledgments and refusals alike", () => {
    expect(decide(msg(), ctx({ autoReplyCount: 5 }))).toMatchObject({ outcome: "new-case", acknowledge: false });
    expect(decide(msg(), ctx({ autoReplyCount: 4 }))).toMatchObject({ outcome: "new-case", acknowledge: true });
    expect(decide(msg(), ctx({ sender: stranger, autoReplyCount: 5 }))).toMatchObject({ outcome: "refuse", reply: false });
    expect(decide(msg(), ctx({ sender: stranger, autoReplyCount: 1, config: { autoReplyCapPerHour: 1 } }))).toMatchObject({ reply: false });
  });

  it("downgrades Severity 1 in development and asks for the environment when it is not named", () => {
    const dev = decide(msg({ text: "Severity: 1\nEnvironment: dev\n" }), ctx());
    expect(dev).toMatchObject({ outcome: "new-case", severity: { id: "2", source: "downgrade", requested: "1" }, environment: "development" });
    const unknown = decide(msg({ text: "Severity: 1\n" }), ctx());
    expect(unknown).toMatchObject({ severity: { id: "1", source: "field", needsEnvironment: true } });
    expect(unknown.outcome === "new-case" && unknown.missingFields).toContain("environment");
  });

  it("uses the organization's policy and entitlements: Konneqt P0 becomes P1 without a managed deployment", () => {
    const konneqt = { ...dtc, organization: { ...acme, policyId: "konneqt-enterprise" } };
    const d = decide(msg({ subject: "P0: gateway down", text: "Case type: Incident\n" }), ctx({ sender: { contact: konneqt } }));
    expect(d).toMatchObject({ outcome: "new-case", policyId: "konneqt-enterprise", severity: { id: "P1", source: "downgrade" } });
    const managed = { ...konneqt, organization: { ...konneqt.organization, entitlements: ["managed-deployment"] } };
    expect(decide(msg({ subject: "P0: gateway down", text: "" }), ctx({ sender: { contact: managed } }))).toMatchObject({ severity: { id: "P0", source: "subject" } });
  });

  it("refuses, with the policy's words, a case the policy does not take (Konneqt Basic incident in development)", () => {
    const basic = { ...dtc, organization: { ...acme, policyId: "konneqt-basic" } };
    const d = decide(msg({ text: "Case type: Incident\nPriority: P2\nEnvironment: development\n" }), ctx({ sender: { contact: basic } }));
    expect(d).toMatchObject({ outcome: "refuse", reason: "ineligible", reply: true, policyId: "konneqt-basic" });
    expect(d.outcome === "refuse" && d.detail).toContain("raise the problem as a Query");
  });

  it("falls back to the mailbox's policy when the organization has none, and names a missing policy", () => {
    const noPolicy = { ...dtc, organization: { ...acme, policyId: null } };
    expect(decide(msg(), ctx({ sender: { contact: noPolicy } }))).toMatchObject({ policyId: "vantiq" });
    const ghost = { ...dtc, organization: { ...acme, policyId: "ghost" } };
    expect(() => decide(msg(), ctx({ sender: { contact: ghost } }))).toThrow(/policy "ghost", which is not loaded/);
  });

  it("stores the text without quoted history and lists attachments and dropped ones", () => {
    const attachment = { filename: "log.txt", contentType: "text/plain", size: 3, sha256: "cd".repeat(32), content: new Uint8Array([1, 2, 3]), inline: false };
    const d = decide(
      msg({
        text: "Severity: 3\n\nOn Mon, Ana wrote:\n> Severity: 1\n",
        attachments: [attachment],
        droppedAttachments: [{ filename: "dump.bin", size: 60_000_000, reason: "message-too-large" }],
      }),
      ctx(),
    );
    expect(d).toMatchObject({
      outcome: "new-case",
      text: "Severity: 3\n",
      severity: { id: "3" },
      attachments: [{ filename: "log.txt", size: 3, contentType: "text/plain", sha256: "cd".repeat(32) }],
      droppedAttachments: [{ filename: "dump.bin", size: 60_000_000, reason: "message-too-large" }],
    });
  });
});

describe("decideInbound: threading", () => {
  const case12 = { number: 12, participants: ["ana@acme.example"], organizationContacts: ["ana@acme.example", "bob@acme.example"] };

  it("records a reply on the case its In-Reply-To names", () => {
    const d = decide(msg({ inReplyTo: "ack-12@support-inbox.local", text: "More logs.\n\n> old\n" }), ctx({ thread: { byMessageId: new Map([["ack-12@support-inbox.local", 12]]) } }));
    expect(d).toMatchObject({ outcome: "thread", caseNumber: 12, via: "in-reply-to", author: "customer", reopen: false, text: "More logs.\n" });
  });

  it("sets a waiting case back to open on a DTC's reply, not on a non-DTC colleague's", () => {
    const thread = { tokenCase: case12, cases: new Map([[12, { status: "waiting" as const, organization: "Acme" }]]) };
    expect(decide(msg({ subject: "Re: [Case #12] x" }), ctx({ thread }))).toMatchObject({ outcome: "thread", via: "token", reopen: true });
    const bob = { ...dtc, email: "bob@acme.example", dtc: false };
    const d = decide(msg({ subject: "Re: [Case #12] x", from: { address: "bob@acme.example", name: "Bob" } }), ctx({ sender: { contact: bob }, thread }));
    expect(d).toMatchObject({ outcome: "thread", author: "customer", reopen: false, authorization: "non-dtc" });
  });

  it("does not attach a subject token from a stranger: it is a new request and is refused", () => {
    const d = decide(msg({ subject: "Re: [Case #12] x", from: { address: "mallory@evil.example", name: "" } }), ctx({ sender: stranger, thread: { tokenCase: case12 } }));
    expect(d).toMatchObject({ outcome: "refuse", reason: "unknown-sender" });
    expect(d.outcome === "refuse" && d.detail).toContain("neither a participant");
  });

  it("records staff mail on the case (a token suffices) and ignores staff mail without one", () => {
    const staff = { email: "eng@vendor.example", name: "Eng", role: "engineer" };
    const from = { address: "eng@vendor.example", name: "Eng" };
    const joined = decide(msg({ from, subject: "Re: [Case #12] x" }), ctx({ sender: { contact: null, staff }, thread: { tokenCase: { ...case12, participants: [] } } }));
    expect(joined).toMatchObject({ outcome: "thread", caseNumber: 12, author: "staff", authorization: "staff" });
    expect(decide(msg({ from }), ctx({ sender: { contact: null, staff } }))).toMatchObject({ outcome: "ignore", reason: expect.stringMatching(/staff mail without a case/) });
  });
});

describe("decideInbound: automatic mail, loops and unverified senders", () => {
  const classified = (kind: "auto-reply" | "bounce" | "list" | "loop") => ({ classification: { kind, reason: `test ${kind}` } });

  it("ignores an auto-reply that threads nowhere, and records one that does, never acknowledged", () => {
    expect(decide(msg(), ctx(classified("auto-reply")))).toMatchObject({ outcome: "ignore", kind: "auto-reply" });
    const d = decide(msg({ inReplyTo: "ack-12@support-inbox.local" }), ctx({ ...classified("auto-reply"), thread: { byMessageId: new Map([["ack-12@support-inbox.local", 12]]) } }));
    expect(d).toMatchObject({ outcome: "thread", caseNumber: 12, author: "automatic", reopen: false });
    expect(d).not.toHaveProperty("acknowledge");
  });

  it("marks our bounced message and records the bounce on its case", () => {
    const bounce = msg({ from: { address: "mailer-daemon@mx.acme.example", name: "" }, isReport: true, reportedMessageIds: ["out-7@support-inbox.local"] });
    const onCase = decide(bounce, ctx({ ...classified("bounce"), sender: stranger, thread: { byMessageId: new Map([["out-7@support-inbox.local", 12]]) } }));
    expect(onCase).toMatchObject({ outcome: "thread", caseNumber: 12, via: "report", author: "automatic", bounceOf: ["out-7@support-inbox.local"] });
    const loose = decide(bounce, ctx({ ...classified("bounce"), sender: stranger }));
    expect(loose).toMatchObject({ outcome: "ignore", kind: "bounce", bounceOf: ["out-7@support-inbox.local"] });
    const foreign = decide({ ...bounce, reportedMessageIds: ["x@elsewhere.example"] }, ctx({ ...classified("bounce"), sender: stranger }));
    expect(foreign).toMatchObject({ outcome: "ignore" });
    expect(foreign).not.toHaveProperty("bounceOf");
  });

  it("never records list mail, and drops our own mail coming back", () => {
    const thread = { byMessageId: new Map([["ack-12@support-inbox.local", 12]]) };
    expect(decide(msg({ inReplyTo: "ack-12@support-inbox.local" }), ctx({ ...classified("list"), thread }))).toMatchObject({ outcome: "ignore", kind: "list" });
    expect(decide(msg({ inReplyTo: "ack-12@support-inbox.local" }), ctx({ ...classified("loop"), thread }))).toMatchObject({ outcome: "ignore", kind: "loop" });
  });

  it("classifies by itself when the caller did not: Auto-Submitted is an auto-reply", () => {
    expect(decide(msg({ headers: { "auto-submitted": ["auto-replied"] } }), ctx())).toMatchObject({ outcome: "ignore", classification: { kind: "auto-reply" } });
  });

  it("quarantines a sender our server marks dmarc=fail, even a DTC, and ignores other servers' headers", () => {
    const headers = { "authentication-results": ["mx.vendor.example; dmarc=fail header.from=acme.example"] };
    const d = decide(msg({ headers }), ctx({ config: { authservId: "mx.vendor.example" } }));
    expect(d).toMatchObject({ outcome: "quarantine", authorization: "unverified", reason: expect.stringMatching(/^unverified sender/) });
    expect(decide(msg({ headers }), ctx({ config: { authservId: "mx.other.example" } }))).toMatchObject({ outcome: "new-case" });
  });
});

describe("toDryRunJson", () => {
  const REQUIRED = ["from", "subject", "classification", "authorization", "organization", "thread", "fields", "severity", "caseType", "missingFields", "attachments", "text"];

  it("has every documented key for each outcome", () => {
    const cases: Array<[NormalizedMessage, InboundContext]> = [
      [msg(), ctx()],
      [msg({ subject: "Re: [Case #12] x" }), ctx({ thread: { tokenCase: { number: 12, participants: ["ana@acme.example"], organizationContacts: [] } } })],
      [msg(), ctx({ sender: stranger })],
      [msg(), ctx({ classification: { kind: "auto-reply", reason: "x" } })],
      [msg({ headers: { "authentication-results": ["mx.v; dmarc=fail"] } }), ctx({ config: { authservId: "mx.v" } })],
    ];
    const outcomes = cases.map(([m, c]) => {
      const json = toDryRunJson(decide(m, c), m);
      expect(Object.keys(json).slice(0, REQUIRED.length)).toEqual(REQUIRED);
      expect(JSON.parse(JSON.stringify(json))).toEqual(json);
      return json.outcome;
    });
    expect(outcomes).toEqual(["new-case", "thread", "refuse", "ignore", "quarantine"]);
  });

  it("shows a new case as the issue describes it", () => {
    const m = msg({ text: "Severity: 1\nEnvironment: development\n" });
    expect(toDryRunJson(decide(m, ctx()), m)).toMatchObject({
      from: "ana@acme.example",
      subject: "Rule not firing",
      classification: "normal",
      authorization: "dtc",
      organization: "Acme",
      thread: "new",
      fields: { severity: "1", environment: "development" },
      severity: { id: "2", source: "downgrade", reason: expect.stringContaining("production") },
      caseType: "incident",
      attachments: [],
      text: "Severity: 1\nEnvironment: development\n",
      outcome: "new-case",
    });
  });

  it("shows the joined case number, and the fields read even when no case is opened", () => {
    const m = msg({ inReplyTo: "a@x" });
    expect(toDryRunJson(decide(m, ctx({ thread: { byMessageId: new Map([["a@x", 77]]) } })), m)).toMatchObject({ thread: 77, severity: null, caseType: null });
    expect(toDryRunJson(decide(m, ctx({ sender: stranger })), m)).toMatchObject({ thread: "new", fields: { severity: "2" }, outcome: "refuse" });
  });
});
