/**
 * A customer's email on an existing case: recorded as a customer reply; a waiting case goes back to open
 * (the SLA clocks it paused resume) and a resolved one reopens; the message is forwarded to the assigned
 * engineer, or to every active engineer while nobody is, so they can answer from their mail client.
 */
import type { Db } from "../store/database.js";
import { appendEvent } from "../store/repos/events.js";
import { listStaff } from "../store/repos/staff.js";
import { updateCase } from "../store/repos/cases.js";
import type { OutgoingKind } from "../outbox/headers.js";
import { policyOf } from "../cases/case-sla.js";
import { refreshCaseSla } from "../scheduler/case-sla.js";
import { attachmentRefs, loadParties } from "./load.js";
import { queueCaseMail } from "./mail.js";
import type { CorrespondenceResult, CustomerMessageInput } from "./types.js";
import { engineersFor } from "./recipients.js";
import { damagedAttachments } from "../cases/new-case.js";

/** Statuses a customer's message takes back to open. A closed case stays closed (the reply is still recorded). */
const REOPENS = new Set(["waiting", "resolved"]);

export async function applyCustomerMessage(tx: Db, input: CustomerMessageInput): Promise<CorrespondenceResult> {
  const { desk, caseRow, message, contact, now } = input;
  const at = new Date(input.at ?? now);
  const reopened = REOPENS.has(caseRow.status);
  // The status first: on a resolved case the reply only counts once the case is open again.
  if (reopened) {
    await appendEvent(tx, { caseId: caseRow.id, at, actor: contact.email, kind: "status-changed", data: { status: "open", from: caseRow.status } });
  }
  // Parts that arrived as damaged base64 are named on the trail, as on an opening (src/mail/damaged-base64.ts).
  const damagedParts = damagedAttachments(message.normalized);
  const damaged = damagedParts.map(({ filename, reason }) => ({ filename, reason }));
  const data = { messageRowId: message.id, ...(damaged.length > 0 ? { damagedAttachments: damaged } : {}) };
  await appendEvent(tx, { caseId: caseRow.id, at, actor: contact.email, kind: "customer-replied", data });
  const updated = await updateCase(tx, caseRow.id, { ...(reopened ? { status: "open" as const } : {}), updatedAt: new Date(now) });
  const queued: OutgoingKind[] = [];
  if (await forward(tx, { ...input, caseRow: updated }, reopened ? caseRow.status : null)) queued.push("forward");
  if (damaged.length > 0 && (await askToResend(tx, { ...input, caseRow: updated }, damagedParts.map((d) => d.sent)))) queued.push("damaged-parts");
  await refreshCaseSla(tx, desk, caseRow.id, now);
  return { outcome: "customer-reply", commands: [], errors: [], queued, caseRow: updated };
}

async function forward(tx: Db, input: CustomerMessageInput, reopenedFrom: string | null): Promise<boolean> {
  const { desk, caseRow, message, contact, now } = input;
  const [staff, parties, files] = await Promise.all([
    listStaff(tx, { activeOnly: true }),
    loadParties(tx, caseRow),
    attachmentRefs(tx, message.id),
  ]);
  const to = engineersFor(caseRow.assigneeId, staff);
  if (to.length === 0) return false;
  const policy = policyOf(desk.policies, caseRow);
  const mail = {
    kind: "forward" as const,
    messageRowId: message.id,
    to: to.map((s) => s.email),
    parent: message.normalized,
    subject: message.normalized.subject,
    data: {
      customerName: contact.name,
      customerEmail: contact.email,
      organization: parties.org.name,
      severity: policy.severities.find((s) => s.id === caseRow.severity)?.name ?? caseRow.severity,
      status: caseRow.status,
      reopenedFrom,
      assignee: caseRow.assigneeId === null ? null : (to[0]?.email ?? null),
      body: message.normalized.text,
      attachments: files.map((f) => f.filename),
    },
    attachments: files,
  };
  return queueCaseMail(tx, desk, caseRow, mail, now);
}

/**
 * The customer is told, as an opening's acknowledgment tells them, which parts of their reply arrived as
 * damaged base64: the engineers got the message, but those files cannot be opened until sent again.
 */
async function askToResend(tx: Db, input: CustomerMessageInput, sentNames: string[]): Promise<boolean> {
  const { desk, caseRow, message, contact, now } = input;
  const mail = {
    kind: "damaged-parts" as const,
    messageRowId: message.id,
    to: [contact.email],
    parent: message.normalized,
    subject: message.normalized.subject,
    data: { requesterName: contact.name || contact.email, damagedAttachments: sentNames.map((name) => ({ name })), policyName: policyOf(desk.policies, caseRow).name },
  };
  return queueCaseMail(tx, desk, caseRow, mail, now);
}
