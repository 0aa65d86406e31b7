/** decideInbound over real mail bytes: parseMessage → decide → dry-run JSON, as `ingest --dry-run` does. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_PARSE_LIMITS, type NormalizedMessage } from "../mail/message.js";
import { parseMessage } from "../mail/parse.js";
import { threadLookupKeys } from "../mail/threading.js";
import { loadBundledPolicies } from "../policy/load.js";
import { decideInbound } from "./decide.js";
import { toDryRunJson } from "./dry-run-json.js";
import type { ContactInfo, InboundContext, OrganizationInfo } from "./inbound-decision.js";

const NOW = Date.UTC(2026, 10, 17, 12, 0);
const policies = loadBundledPolicies();
const parse = async (name: string): Promise<NormalizedMessage> =>
  parseMessage(readFileSync(fileURLToPath(new URL(`../../test/fixtures/mail/${name}`, import.meta.url))), DEFAULT_PARSE_LIMITS);

const acme: OrganizationInfo = { name: "Acme Logistics", policyId: "vantiq", entitlements: [], domains: ["customer.example"], timeZone: "Europe/Berlin" };
const dtcFor = (msg: NormalizedMessage, organization: OrganizationInfo = acme): ContactInfo => ({
  email: msg.from!.address,
  name: msg.from!.name,
  dtc: true,
  active: true,
  organization,
});

const context = (sender: Partial<InboundContext["sender"]>, thread: Partial<InboundContext["thread"]> = {}): InboundContext => ({
  mailbox: { name: "support", address: "support@vendor.example", defaultPolicy: "vantiq" },
  policies,
  sender: { contact: null, staff: null, domainOrganization: null, ...sender },
  thread: { byMessageId: new Map(), tokenCase: null, cases: new Map(), ...thread },
  autoReplyCount: 0,
  config: {
    autoReplyCapPerHour: 5,
    unknownSenders: "reply",
    caseTokenFormat: "[Case #{number}]",
    ourDomains: ["support-inbox.local"],
    ourAddresses: ["support@vendor.example"],
    authservId: "mx.vendor.example",
    requireDkimOrSpf: false,
  },
});

describe("decideInbound on fixtures", () => {
  it("template-full-vantiq.eml from a DTC: a Severity 1 production case, nothing missing", async () => {
    const msg = await parse("template-full-vantiq.eml");
    const json = toDryRunJson(decideInbound(msg, context({ contact: dtcFor(msg) }), NOW), msg);
    expect(json).toMatchObject({
      from: "jane.doe@customer.example",
      classification: "normal",
      authorization: "dtc",
      organization: "Acme Logistics",
      thread: "new",
      severity: { id: "1", source: "field" },
      caseType: "incident",
      missingFields: [],
      attachments: [{ filename: "ProcessSensorReading.json", contentType: "application/json" }],
      outcome: "new-case",
    });
    expect(json.text).toContain("Steps to reproduce:");
    expect(json.text).not.toContain("Platform Engineer");
  });

  it("template-sev1-development.eml: Severity 1 in development is handled as Severity 2, with the reason", async () => {
    const msg = await parse("template-sev1-development.eml");
    const d = decideInbound(msg, context({ contact: dtcFor(msg) }), NOW);
    expect(d).toMatchObject({ outcome: "new-case", environment: "development", deployment: "public-cloud", severity: { id: "2", source: "downgrade", requested: "1" } });
    expect(d.outcome === "new-case" && d.severity.reason).toMatch(/only to a VANTIQ production environment.*The request names development\./);
  });

  it("subject-tag-sev.eml: [Sev1] in the subject", async () => {
    const msg = await parse("subject-tag-sev.eml");
    expect(decideInbound(msg, context({ contact: dtcFor(msg) }), NOW)).toMatchObject({ severity: { source: "subject" } });
  });

  it("template-html-table-extra.eml: [S2] from the subject, the quoted Severity 1 ignored", async () => {
    const msg = await parse("template-html-table-extra.eml");
    const d = decideInbound(msg, context({ contact: dtcFor(msg) }), NOW);
    expect(d).toMatchObject({ outcome: "new-case", severity: { id: "2", source: "subject" }, environment: "production", deployment: "edge-node" });
  });

  it("template-konneqt-extra.eml under Konneqt Enterprise: P0 without a managed deployment → P1", async () => {
    const msg = await parse("template-konneqt-extra.eml");
    const org = { ...acme, name: "Acme Cliente", policyId: "konneqt-enterprise" };
    const d = decideInbound(msg, context({ contact: dtcFor(msg, org) }), NOW);
    expect(d).toMatchObject({ outcome: "new-case", caseType: "incident", environment: "pre-production", severity: { id: "P1", source: "downgrade", requested: "P0" }, missingFields: [] });
    const managed = { ...org, entitlements: ["managed-deployment"] };
    expect(decideInbound(msg, context({ contact: dtcFor(msg, managed) }), NOW)).toMatchObject({ severity: { id: "P0", source: "field" } });
  });

  it("template-full-vantiq.eml from a colleague who is not a DTC: refused, politely", async () => {
    const msg = await parse("template-full-vantiq.eml");
    const d = decideInbound(msg, context({ domainOrganization: { name: "Acme Logistics" } }), NOW);
    expect(toDryRunJson(d, msg)).toMatchObject({ authorization: "non-dtc", outcome: "refuse", thread: "new", severity: null });
  });

  it("dmarc-fail-auth-results.eml: quarantined although the sender is a DTC", async () => {
    const msg = await parse("dmarc-fail-auth-results.eml");
    const json = toDryRunJson(decideInbound(msg, context({ contact: dtcFor(msg) }), NOW), msg);
    expect(json).toMatchObject({ authorization: "unverified", outcome: "quarantine", reason: expect.stringContaining("dmarc=fail") });
  });

  it("auto-reply-rfc3834.eml: recorded on the case it answers, as automatic mail", async () => {
    const msg = await parse("auto-reply-rfc3834.eml");
    const keys = threadLookupKeys(msg);
    expect(keys).toEqual({ messageIds: ["ack-1042@support-inbox.local"], caseToken: 1042 });
    const d = decideInbound(msg, context({ contact: dtcFor(msg) }, { byMessageId: new Map([["ack-1042@support-inbox.local", 1042]]) }), NOW);
    expect(toDryRunJson(d, msg)).toMatchObject({ classification: "auto-reply", thread: 1042, outcome: "thread", details: { author: "automatic", reopen: false } });
  });

  it("bounce-dsn.eml: marks our acknowledgment bounced", async () => {
    const msg = await parse("bounce-dsn.eml");
    const d = decideInbound(msg, context({}), NOW);
    expect(d).toMatchObject({ outcome: "ignore", kind: "bounce", bounceOf: ["ack-123@support-inbox.local"] });
  });

  it("loop-our-own.eml: our own acknowledgment coming back is dropped", async () => {
    const msg = await parse("loop-our-own.eml");
    expect(decideInbound(msg, context({}), NOW)).toMatchObject({ outcome: "ignore", kind: "loop" });
  });

  it.each([
    ["bounce-dragonfly-null-from.eml", "720f05ab8bb4a70c5b66266796824d3a@support-inbox.local"],
    ["bounce-exim-failed-recipients.eml", "0bbfd72c8fd580162c58dfe58aacc84c@support-inbox.local"],
    ["bounce-sendmail-dsn.eml", "dc6750752c78bac2e46a0479b6268019@support-inbox.local"],
    ["bounce-exchange-online-ndr.eml", "be2bfc18a9bc80a4b2ae429915e2fcc5@support-inbox.local"],
    ["bounce-gmail-dsn.eml", "c67546eeea031cdbe5cc8af662292743@support-inbox.local"],
  ])("%s: recorded on the case of the acknowledgment it returns, which it marks bounced", async (file, ackId) => {
    const msg = await parse(file);
    const d = decideInbound(msg, context({}, { byMessageId: new Map([[ackId, 1051]]) }), NOW);
    expect(d).toMatchObject({ classification: { kind: "bounce" }, outcome: "thread", caseNumber: 1051, author: "automatic", reopen: false, bounceOf: [ackId] });
  });

  it.each([
    ["feedback-report-arf-amazon-ses.eml", "e2cee1e8a8de5ceead1bf40bd9e68634@support-inbox.local"],
    ["feedback-report-without-report-type.eml", "a1dcb4c478f21883346decce183d476c@support-inbox.local"],
  ])("%s: a feedback report on our acknowledgment is recorded on its case, never answered", async (file, ackId) => {
    const msg = await parse(file);
    const onCase = decideInbound(msg, context({}, { byMessageId: new Map([[ackId, 1048]]) }), NOW);
    expect(onCase).toMatchObject({ classification: { kind: "report" }, outcome: "thread", caseNumber: 1048, author: "automatic" });
    expect(onCase).not.toHaveProperty("bounceOf");
    expect(decideInbound(msg, context({}), NOW)).toMatchObject({ outcome: "ignore", kind: "report" });
  });

  it.each([
    "jira-notification-fingerprint-only.eml",
    "ticketing-znuny-x-mailer.eml",
    "github-notification-headers.eml",
    "ses-notification-feedback-id-only.eml",
    "vacation-sieve-null-return-path.eml",
    "out-of-office-exchange-null-return-path.eml",
  ])("%s from the customer's domain: no refusal, no case", async (file) => {
    const msg = await parse(file);
    expect(decideInbound(msg, context({ domainOrganization: { name: "Acme Logistics" } }), NOW)).toMatchObject({ outcome: "ignore", kind: "auto-reply" });
  });

  it("two-from-headers-first-garbage.eml from a DTC: the second From is the requester, a case opens", async () => {
    const msg = await parse("two-from-headers-first-garbage.eml");
    expect(decideInbound(msg, context({ contact: dtcFor(msg) }), NOW)).toMatchObject({ sender: "jane.doe@customer.example", outcome: "new-case" });
  });
});
