/**
 * Applying a "thread" plan: the stored message joins its case. Staff mail is correspondence (commands,
 * relay to the customer); a customer's mail is forwarded to the engineer and may reopen the case;
 * automatic mail (an auto-reply, a bounce) is only recorded, never answered.
 */
import type { ThreadPlan } from "../cases/inbound-decision.js";
import { AppError } from "../errors.js";
import type { NormalizedMessage } from "../mail/message.js";
import type { Db } from "../store/database.js";
import { requireCaseByNumber } from "../store/repos/cases.js";
import { appendEvent } from "../store/repos/events.js";
import { getStaffByEmail } from "../store/repos/staff.js";
import { getContactByEmail } from "../store/repos/contacts.js";
import { setMessageCase } from "../store/repos/correspondence.js";
import { refreshCaseSla } from "../scheduler/case-sla.js";
import { applyCustomerMessage } from "./customer.js";
import { applyStaffMessage } from "./staff.js";
import type { Desk } from "../desk.js";

export interface ThreadEntryInput {
  desk: Desk;
  decision: ThreadPlan & { sender: string };
  msg: NormalizedMessage;
  messageRowId: number;
  now: number;
  /** When the mailbox received the message (receiptInstant): what it does on the case happened then. */
  received: number;
}

export async function applyThreadEntry(tx: Db, input: ThreadEntryInput): Promise<void> {
  const { desk, decision, msg, messageRowId, now } = input;
  const caseRow = await requireCaseByNumber(tx, decision.caseNumber);
  // Never before the case began: a reply's receipt stamp older than the opening (an old mail appended late) counts at the opening.
  const at = Math.max(input.received, caseRow.openedAt.getTime());
  await setMessageCase(tx, messageRowId, caseRow.id);
  const message = { id: messageRowId, normalized: msg, text: decision.text };

  if (decision.author === "staff") {
    const staffMember = await getStaffByEmail(tx, decision.sender);
    if (!staffMember) throw new AppError("E_DIRECTORY", `staff member ${decision.sender} vanished`);
    await applyStaffMessage(tx, { desk, caseRow, message, staffMember, now, at });
    return;
  }
  if (decision.author === "customer") {
    // The sender is already lowercased, so the store's normalised look-up finds the same row.
    const contact = await getContactByEmail(tx, decision.sender);
    // A participant who is not a registered contact (a colleague on Cc) still writes on the case.
    const author = contact ?? { id: 0, email: decision.sender, name: msg.from?.name || decision.sender };
    await applyCustomerMessage(tx, { desk, caseRow, message, contact: author, now, at });
    return;
  }
  await appendEvent(tx, {
    caseId: caseRow.id,
    at: new Date(at),
    actor: decision.sender || "unknown",
    kind: "automatic-message",
    data: { messageRowId, subject: msg.subject, bounceOf: decision.bounceOf ?? [], ...(decision.complaintAbout?.length ? { complaintAbout: decision.complaintAbout } : {}) },
  });
  await refreshCaseSla(tx, desk, caseRow.id, now);
}
