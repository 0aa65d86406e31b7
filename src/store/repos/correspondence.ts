/**
 * What relaying and forwarding read about a case: its requester and organization, every address on its
 * thread, the customer message a relay answers, the stored attachments of a message.
 */
import { and, asc, desc, eq, isNotNull, ne, notInArray, sql } from "drizzle-orm";
import type { Db } from "../database.js";
import { attachments, caseEvents, contacts, messages, organizations, outbox, staff } from "../schema/index.js";
import type { Contact } from "./contacts.js";
import type { Organization } from "./organizations.js";

/** A contact with its organization; undefined when there is no such contact. */
export async function getContactWithOrganization(tx: Db, contactId: number): Promise<{ org: Organization; requester: Contact } | undefined> {
  const [row] = await tx
    .select({ org: organizations, requester: contacts })
    .from(contacts)
    .innerJoin(organizations, eq(organizations.id, contacts.organizationId))
    .where(eq(contacts.id, contactId));
  return row;
}

/** Every address on the case's thread as written: senders and recipients of stored mail, recipients of queued mail. */
export async function listThreadAddresses(tx: Db, caseId: number): Promise<string[]> {
  const [inbound, sent] = await Promise.all([
    tx.select({ from: messages.from, to: messages.to, cc: messages.cc }).from(messages).where(eq(messages.caseId, caseId)),
    tx.select({ to: outbox.to, cc: outbox.cc }).from(outbox).where(eq(outbox.caseId, caseId)),
  ]);
  return [...inbound.flatMap((m) => [m.from, ...m.to, ...m.cc]), ...sent.flatMap((m) => [...m.to, ...m.cc])];
}

/** The latest message of the case from anyone but our staff and automatic mail, except `excludeRowId` (null: none excluded). */
export async function lastCustomerMessage(
  tx: Db,
  caseId: number,
  excludeRowId: number | null,
): Promise<{ messageId: string | null; references: string[] } | null> {
  const [row] = await tx
    .select({ messageId: messages.messageId, references: messages.references })
    .from(messages)
    .where(
      and(
        eq(messages.caseId, caseId),
        eq(messages.direction, "in"),
        excludeRowId === null ? undefined : ne(messages.id, excludeRowId),
        notInArray(messages.from, tx.select({ email: staff.email }).from(staff)),
        // An out-of-office or a bounce recorded on the case is not what a relay answers.
        sql`not exists (select 1 from ${caseEvents} where ${caseEvents.caseId} = ${caseId}
              and ${caseEvents.kind} = 'automatic-message' and (${caseEvents.data}->>'messageRowId')::int = ${messages.id})`,
      ),
    )
    .orderBy(desc(messages.receivedAt), desc(messages.id))
    .limit(1);
  return row ?? null;
}

/** A message's attachments whose bytes are still stored, without the bytes (they stay until sending). */
export async function listAttachmentHeads(
  tx: Db,
  messageRowId: number,
): Promise<Array<{ id: number; filename: string; contentType: string; size: number }>> {
  return tx
    .select({ id: attachments.id, filename: attachments.filename, contentType: attachments.contentType, size: attachments.size })
    .from(attachments)
    .where(and(eq(attachments.messageId, messageRowId), isNotNull(attachments.content)))
    .orderBy(asc(attachments.id));
}

/** The stored message joins its case. */
export async function setMessageCase(tx: Db, messageRowId: number, caseId: number): Promise<void> {
  await tx.update(messages).set({ caseId }).where(eq(messages.id, messageRowId));
}
