/**
 * What relaying and forwarding need to read about a case: who is on it, the customer message to answer,
 * the stored attachments of a message. All in the caller's transaction.
 */
import { and, asc, desc, eq, isNotNull, ne, notInArray, sql } from "drizzle-orm";
import { AppError } from "../errors.js";
import { bareAddress } from "../mail/address.js";
import type { Db } from "../store/database.js";
import { otherDtcs, type Contact } from "../store/repos/contacts.js";
import type { Case } from "../store/repos/cases.js";
import { attachments, caseEvents, contacts, messages, organizations, outbox, staff, type OutboxAttachment } from "../store/schema/index.js";

type OrgRow = typeof organizations.$inferSelect;

export interface CaseParties {
  org: OrgRow;
  requester: Contact;
  /** The organization's other active DTCs who are on the case: in a message of its thread, either way. */
  otherDtcs: Contact[];
}

export async function loadParties(tx: Db, caseRow: Case): Promise<CaseParties> {
  const [row] = await tx
    .select({ org: organizations, requester: contacts })
    .from(contacts)
    .innerJoin(organizations, eq(organizations.id, contacts.organizationId))
    .where(eq(contacts.id, caseRow.requesterId));
  if (!row) throw new AppError("E_NOT_FOUND", `case #${caseRow.number}: its requester (contact ${caseRow.requesterId}) is missing`);
  const [inbound, sent, dtcs] = await Promise.all([
    tx.select({ from: messages.from, to: messages.to, cc: messages.cc }).from(messages).where(eq(messages.caseId, caseRow.id)),
    tx.select({ to: outbox.to, cc: outbox.cc }).from(outbox).where(eq(outbox.caseId, caseRow.id)),
    otherDtcs(tx, caseRow.organizationId, caseRow.requesterId),
  ]);
  const onCase = new Set<string>();
  for (const m of inbound) for (const a of [m.from, ...m.to, ...m.cc]) onCase.add(bareAddress(a));
  for (const m of sent) for (const a of [...m.to, ...m.cc]) onCase.add(bareAddress(a));
  return { org: row.org, requester: row.requester, otherDtcs: dtcs.filter((d) => onCase.has(d.email)) };
}

/** The latest message of the case from anyone but our staff and automatic mail (the one a relay answers), except `excludeRowId`. */
export async function lastCustomerMessage(
  tx: Db,
  caseId: number,
  excludeRowId: number,
): Promise<{ messageId: string | null; references: string[] } | null> {
  const [row] = await tx
    .select({ messageId: messages.messageId, references: messages.references })
    .from(messages)
    .where(
      and(
        eq(messages.caseId, caseId),
        eq(messages.direction, "in"),
        ne(messages.id, excludeRowId),
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

/** A message's stored attachments, referenced by id so the outbox row stays small. */
export async function attachmentRefs(tx: Db, messageRowId: number): Promise<OutboxAttachment[]> {
  // Without the content column: the bytes stay in the database until the sender reads them.
  const rows = await tx
    .select({ id: attachments.id, filename: attachments.filename, contentType: attachments.contentType, size: attachments.size })
    .from(attachments)
    .where(and(eq(attachments.messageId, messageRowId), isNotNull(attachments.content)))
    .orderBy(asc(attachments.id));
  return rows.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, attachmentId: a.id }));
}
