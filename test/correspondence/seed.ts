/**
 * A small support desk for the correspondence tests: one organization on the VANTIQ policy with three
 * DTCs, two engineers and a manager, and a helper that opens a fresh case (opened + acknowledged events,
 * the customer's first message stored) so every test starts from its own case.
 */
import { createTemplateRenderer } from "../../src/outbox/templates.js";
import { loadBundledPolicies } from "../../src/policy/load.js";
import type { Db } from "../../src/store/database.js";
import * as store from "../../src/store/index.js";
import type { NormalizedMessage } from "../../src/mail/message.js";
import type { Desk } from "../../src/desk.js";
import { refreshCaseSla } from "../../src/scheduler/case-sla.js";

export const desk: Desk = {
  policies: loadBundledPolicies(),
  templates: createTemplateRenderer(),
  fromAddress: "support@vendor.example",
  supportDomain: "support.vendor.example",
  caseTokenFormat: "[Case #{number}]",
  timeZone: "America/Los_Angeles",
};

/** Tuesday 17 Nov 2026, 09:00 Pacific: inside VANTIQ business hours. */
export const OPENED_AT = Date.parse("2026-11-17T17:00:00Z");

export interface Directory {
  org: store.Organization;
  jane: store.Contact;
  raj: store.Contact;
  eve: store.Contact;
  alice: store.Staff;
  bob: store.Staff;
  mona: store.Staff;
}

export async function seedDirectory(db: Db): Promise<Directory> {
  const org = await store.createOrganization(db, { name: "Acme", policyId: "vantiq", timeZone: "America/Los_Angeles", domains: ["customer.example"] });
  const contact = (email: string, name: string) => store.createContact(db, { email, name, organizationId: org.id, dtc: true });
  return {
    org,
    jane: await contact("jane@customer.example", "Jane Doe"),
    raj: await contact("raj@customer.example", "Raj Patel"),
    eve: await contact("eve@customer.example", "Eve Stone"),
    alice: await store.createStaff(db, { email: "alice@vendor.example", name: "Alice Engineer", role: "engineer" }),
    bob: await store.createStaff(db, { email: "bob@vendor.example", name: "Bob Engineer", role: "engineer" }),
    mona: await store.createStaff(db, { email: "mona@vendor.example", name: "Mona Manager", role: "manager" }),
  };
}

export function normalized(m: Partial<NormalizedMessage> & Pick<NormalizedMessage, "messageId" | "subject" | "text">): NormalizedMessage {
  return {
    inReplyTo: null,
    references: [],
    from: null,
    to: [{ address: desk.fromAddress, name: "" }],
    cc: [],
    replyTo: [],
    date: null,
    html: null,
    headers: {},
    attachments: [],
    rawSize: 1000,
    contentHash: `hash-${m.messageId}`,
    isReport: false,
    reportType: null,
    reportedMessageIds: [],
    droppedAttachments: [],
    warnings: [],
    ...m,
  };
}

let serial = 0;

/** Stores an inbound message on the case (as the lead's inbound pipeline does) and returns what the apply functions take. */
export async function storeInbound(
  db: Db,
  caseRow: store.Case,
  m: { from: string; cc?: string[]; subject: string; text: string; at: number; inReplyTo?: string; attachment?: { filename: string; content: string } },
) {
  const messageId = `m${++serial}-${caseRow.number}@${m.from.split("@")[1]}`;
  const row = await store.insertMessage(db, {
    caseId: caseRow.id,
    mailbox: "support",
    direction: "in",
    messageId,
    inReplyTo: m.inReplyTo ?? null,
    references: m.inReplyTo ? [m.inReplyTo] : [],
    from: m.from,
    to: [desk.fromAddress],
    cc: m.cc ?? [],
    subject: m.subject,
    text: m.text,
    receivedAt: new Date(m.at),
  });
  if (m.attachment) {
    const content = new TextEncoder().encode(m.attachment.content);
    await store.insertAttachments(db, [
      { messageId: row!.id, filename: m.attachment.filename, contentType: "text/plain", size: content.length, sha256: "0".repeat(64), content },
    ]);
  }
  const message = normalized({
    messageId,
    inReplyTo: m.inReplyTo ?? null,
    references: m.inReplyTo ? [m.inReplyTo] : [],
    from: { address: m.from, name: "" },
    cc: (m.cc ?? []).map((address) => ({ address, name: "" })),
    subject: m.subject,
    text: m.text,
  });
  // Quoted history ("> ..." and what follows "On ... wrote:") is not part of the stored thread text.
  const text = m.text.split(/\n(?:On .* wrote:|>)/)[0]!.trimEnd();
  return { id: row!.id, normalized: message, text };
}

/** A case Jane opened at OPENED_AT with Raj in Cc: opened + acknowledged, her message stored. */
export async function openCase(db: Db, dir: Directory, opts: { assigneeId?: number | null; severity?: string } = {}) {
  const at = new Date(OPENED_AT);
  const caseRow = await store.createCase(db, {
    organizationId: dir.org.id,
    requesterId: dir.jane.id,
    assigneeId: opts.assigneeId ?? null,
    subject: "Build fails after upgrade",
    caseType: "incident",
    severity: opts.severity ?? "3",
    severitySource: "field",
    environment: "production",
    policyId: "vantiq",
    openedAt: at,
    updatedAt: at,
  });
  await store.appendEvent(db, { caseId: caseRow.id, at, actor: dir.jane.email, kind: "opened", data: { caseType: "incident", severity: caseRow.severity, environment: "production" } });
  await store.appendEvent(db, { caseId: caseRow.id, at, actor: "system", kind: "acknowledged", data: { automatic: true } });
  const first = await storeInbound(db, caseRow, {
    from: dir.jane.email,
    cc: [dir.raj.email],
    subject: "Build fails after upgrade",
    text: "Our build fails since 1.40.",
    at: OPENED_AT,
  });
  await refreshCaseSla(db, desk, caseRow.id, OPENED_AT);
  return { caseRow: (await store.getCase(db, caseRow.id))!, customerMessageId: first.normalized.messageId! };
}
