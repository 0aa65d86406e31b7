/**
 * The mail that correspondence on a case causes: the relay of a staff reply to the customer, the
 * forward of a customer message to staff, the command-error reply and the resolution notice. Each is
 * queued in the caller's transaction with an idempotency key derived from the inbound message row, so a
 * retried transaction or a re-delivered message never queues it twice.
 */
import type { CommandError } from "../cases/commands.js";
import { caseSubject, caseToken, messageIdFor, standardHeaders, threadRefs, type ThreadRefs } from "../outbox/headers.js";
import { enqueue } from "../outbox/queue.js";
import type { TemplateName } from "../outbox/templates.js";
import type { Case } from "../store/repos/cases.js";
import type { Db } from "../store/database.js";
import type { OutboxAttachment } from "../store/repos/outbox.js";
import type { Desk } from "../desk.js";

type CorrespondenceKind = "relay" | "forward" | "command-error" | "resolution-notice" | "damaged-parts";

export interface CaseMail {
  kind: CorrespondenceKind;
  /** The inbound messages row that causes this mail: one mail of each kind per row. */
  messageRowId: number | null;
  /** A change made from the CLI has no message row: the event that records it keys the mail instead. */
  eventId?: number;
  to: string[];
  cc?: string[];
  /** The message this one answers (In-Reply-To / References), if known. */
  parent: { messageId: string | null; references: string[] } | null;
  /** Subject to put after the case token; the case's subject when absent. */
  subject?: string;
  data: Record<string, unknown>;
  attachments?: OutboxAttachment[];
}

export function outboxKey(caseRow: Pick<Case, "number">, kind: CorrespondenceKind, messageRowId: number | null, eventId?: number): string {
  return messageRowId === null ? `case:${caseRow.number}:${kind}:event:${eventId}` : `case:${caseRow.number}:${kind}:message:${messageRowId}`;
}

/** Queues one mail about the case; false when it was already queued. */
export async function queueCaseMail(tx: Db, desk: Desk, caseRow: Case, mail: CaseMail, now: number): Promise<boolean> {
  const key = outboxKey(caseRow, mail.kind, mail.messageRowId, mail.eventId);
  const token = caseToken(desk.caseTokenFormat, caseRow.number);
  const body = desk.templates.render(mail.kind satisfies TemplateName, {
    ...mail.data,
    caseNumber: caseRow.number,
    caseToken: token,
    caseSubject: caseRow.subject,
    supportAddress: desk.fromAddress,
  });
  const refs: ThreadRefs = threadRefs(mail.parent);
  return enqueue(
    tx,
    {
      idempotencyKey: key,
      kind: mail.kind,
      caseId: caseRow.id,
      from: desk.fromAddress,
      to: mail.to,
      cc: (mail.cc ?? []).filter((a) => !mail.to.includes(a)),
      // Answers go back to the desk, so they land in the case thread whoever replies.
      replyTo: desk.fromAddress,
      subject: caseSubject(desk.caseTokenFormat, caseRow.number, mail.subject || caseRow.subject),
      messageId: messageIdFor(key, desk.supportDomain),
      inReplyTo: refs.inReplyTo,
      references: refs.references,
      headers: { ...standardHeaders(mail.kind, desk.fromAddress) },
      text: body.text,
      html: body.html,
      attachments: mail.attachments ?? [],
    },
    now,
  );
}

/** The command-error reply's rows: which line, what it said, why. */
export function commandErrorData(staffName: string, errors: CommandError[]): Record<string, unknown> {
  return {
    staffName,
    errors: errors.map((e) => ({ line: e.line, text: e.text, reason: e.reason })),
    commands: ["#severity 2", "#type query", "#status waiting|open|resolved|closed", "#assign <staff email address>|me", "#workaround", "#comment", "#time 1h30m [nocount]", "#contact unreachable|reachable"],
  };
}
