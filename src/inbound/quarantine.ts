/**
 * A quarantined message made visible: its record (inbound_rejections, with the raw bytes) and, in the
 * same transaction, a notice to the people who can act on it (config notifications.quarantine, else
 * the active managers) naming the reason and the commands to look at it and run it through intake again.
 * Every way into quarantine goes through recordQuarantine: a decision (unverified sender), a message that
 * failed three times (failures.ts), one the `ingest` command could not read.
 */
import type { Desk } from "../desk.js";
import { headerSafe, messageIdFor, standardHeaders } from "../outbox/headers.js";
import { enqueue, type NewOutgoing } from "../outbox/queue.js";
import type { Db } from "../store/database.js";
import { insertRejection, type NewRejection, type Rejection } from "../store/repos/mailboxes.js";
import { listManagers } from "../store/repos/staff.js";

/** Who hears of a quarantine: the configured addresses, else every active manager. */
export async function quarantineRecipients(tx: Db, desk: Desk): Promise<string[]> {
  if (desk.quarantineRecipients?.length) return desk.quarantineRecipients;
  return (await listManagers(tx)).map((m) => m.email);
}

/** Records a quarantined message and queues its notice, in the caller's transaction. */
export async function recordQuarantine(tx: Db, desk: Desk, rejection: NewRejection, now: number): Promise<{ row: Rejection; notified: string[] }> {
  const row = await insertRejection(tx, rejection);
  const to = await quarantineRecipients(tx, desk);
  if (to.length > 0) await enqueue(tx, quarantineNotice(desk, row, to), now);
  return { row, notified: to };
}

/** The notice of one quarantined message (pure). Its key is the quarantine id: one notice per quarantine. */
export function quarantineNotice(desk: Desk, row: Rejection, to: string[]): NewOutgoing {
  const key = `quarantine:${row.id}:notice`;
  const body = desk.templates.render("quarantine-notice", {
    id: row.id,
    mailbox: row.mailbox ?? "?",
    from: row.from,
    subject: row.subject,
    messageId: row.messageId,
    at: row.at.toISOString(),
    reason: row.detail ?? row.reasonCode,
    attempts: row.attempts > 1 ? row.attempts : null,
    supportAddress: desk.fromAddress,
  });
  const about = row.subject ? `"${row.subject}"${row.from ? ` from ${row.from}` : ""}` : row.from ? `a message from ${row.from}` : "an unreadable message";
  return {
    idempotencyKey: key,
    kind: "quarantine-notice",
    caseId: null,
    from: desk.fromAddress,
    to,
    replyTo: desk.fromAddress,
    subject: headerSafe(`Quarantined (ID ${row.id}): ${about}`),
    messageId: messageIdFor(key, desk.supportDomain),
    headers: { ...standardHeaders("quarantine-notice", desk.fromAddress) },
    text: body.text,
    html: body.html,
  };
}
