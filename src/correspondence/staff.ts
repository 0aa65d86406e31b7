/**
 * Correspondence on an existing case, applied inside the inbound transaction after the message row is
 * stored. A staff member's email: its commands are applied (all or nothing), then it is recorded as a
 * public reply and relayed to the customer from the support address (or, with #comment, kept as an
 * internal note). A customer's email: recorded, reopens a waiting or resolved case, and is forwarded to
 * the engineers. Either way the case's SLA is evaluated again.
 */
import { parseCommands } from "../cases/commands.js";
import type { OutgoingKind } from "../outbox/headers.js";
import type { Db } from "../store/database.js";
import { appendEvent } from "../store/repos/events.js";
import { listStaff } from "../store/repos/staff.js";
import { lastCustomerMessage } from "../store/repos/correspondence.js";
import { policyOf } from "../cases/case-sla.js";
import { attachmentRefs, loadParties } from "./load.js";
import { commandErrorData, queueCaseMail } from "./mail.js";
import type { CorrespondenceResult, StaffMessageInput } from "./types.js";
import type { PlannedEvent } from "../cases/staff-command-plan.js";
import { applyCaseChange } from "./case-change.js";

export async function applyStaffMessage(tx: Db, input: StaffMessageInput): Promise<CorrespondenceResult> {
  const { desk, caseRow, message, staffMember, now } = input;
  const policy = policyOf(desk.policies, caseRow);
  const staff = await listStaff(tx, { activeOnly: true });
  const parsed = parseCommands(message.normalized.text, { policy, staff, self: staffMember.email });
  const actor = staffMember.email;
  // A reply by mail counts when it was received (a first response met at 10:00 stays met if read at 11:00).
  const record = (e: PlannedEvent) => appendEvent(tx, { caseId: caseRow.id, at: new Date(input.at ?? now), actor, kind: e.kind, data: e.data });
  const queued: OutgoingKind[] = [];

  if (parsed.errors.length) {
    await record({ kind: "command-rejected", data: { messageRowId: message.id, errors: parsed.errors } });
    const mail = {
      kind: "command-error" as const,
      messageRowId: message.id,
      to: [staffMember.email],
      parent: message.normalized,
      subject: message.normalized.subject,
      data: commandErrorData(staffMember.name, parsed.errors),
    };
    if (await queueCaseMail(tx, desk, caseRow, mail, now)) queued.push("command-error");
    return { outcome: "rejected", commands: [], errors: parsed.errors, queued, caseRow };
  }

  // A message that is only commands (no words for the customer) changes the case but is not a reply. The
  // quoted history does not count: "#assign me" over a quoted new-case mail must not relay that mail.
  const hasText = parseCommands(message.text, { policy, staff, self: staffMember.email }).body.trim() !== "";
  const change = { desk, caseRow, actor, commands: parsed.commands, messageRowId: message.id, now, ...(input.at === undefined ? {} : { at: input.at }) };
  const { plan, caseRow: updated, queued: changed } = await applyCaseChange(tx, change, async (recordBetween) => {
    if (parsed.commands.some((c) => c.kind === "comment")) {
      const note = parseCommands(message.text, { policy, staff, self: staffMember.email }).body.trim();
      await recordBetween({ kind: "note", data: { messageRowId: message.id, text: note } });
      return [];
    }
    if (!hasText) return [];
    await recordBetween({ kind: "staff-replied", data: { public: true, messageRowId: message.id } });
    return (await relay(tx, input, parsed.body)) ? ["relay"] : [];
  });
  queued.push(...changed);
  const outcome = plan.comment ? "note" : hasText ? "reply" : "changed";
  return { outcome, commands: parsed.commands, errors: [], queued, caseRow: updated };
}

/** The staff member's words (commands removed, their quoting kept) to the requester, Cc the DTCs on the case. */
async function relay(tx: Db, input: StaffMessageInput, body: string): Promise<boolean> {
  const { desk, caseRow, message, staffMember, now } = input;
  const [parties, parent, files] = await Promise.all([
    loadParties(tx, caseRow),
    lastCustomerMessage(tx, caseRow.id, message.id),
    attachmentRefs(tx, message.id),
  ]);
  const mail = {
    kind: "relay" as const,
    messageRowId: message.id,
    to: [parties.requester.email],
    cc: parties.otherDtcs.map((c) => c.email),
    parent,
    data: { body, staffName: staffMember.name, policyName: policyOf(desk.policies, caseRow).name },
    attachments: files,
  };
  return queueCaseMail(tx, desk, caseRow, mail, now);
}
