/**
 * What relaying and forwarding need to read about a case: who is on it and the stored attachments of a
 * message (the customer message a relay answers comes straight from the store). All in the caller's transaction.
 */
import { AppError } from "../errors.js";
import { bareAddress } from "../mail/address.js";
import type { Db } from "../store/database.js";
import { otherDtcs, type Contact } from "../store/repos/contacts.js";
import type { Case } from "../store/repos/cases.js";
import { getContactWithOrganization, listAttachmentHeads, listThreadAddresses } from "../store/repos/correspondence.js";
import type { Organization } from "../store/repos/organizations.js";
import type { OutboxAttachment } from "../store/repos/outbox.js";

export interface CaseParties {
  org: Organization;
  requester: Contact;
  /** The organization's other active DTCs who are on the case: in a message of its thread, either way. */
  otherDtcs: Contact[];
}

export async function loadParties(tx: Db, caseRow: Case): Promise<CaseParties> {
  const row = await getContactWithOrganization(tx, caseRow.requesterId);
  if (!row) throw new AppError("E_NOT_FOUND", `case #${caseRow.number}: its requester (contact ${caseRow.requesterId}) is missing`);
  const [addresses, dtcs] = await Promise.all([listThreadAddresses(tx, caseRow.id), otherDtcs(tx, caseRow.organizationId, caseRow.requesterId)]);
  const onCase = new Set(addresses.map(bareAddress));
  return { org: row.org, requester: row.requester, otherDtcs: dtcs.filter((d) => onCase.has(d.email)) };
}

/** A message's stored attachments, referenced by id so the outbox row stays small. */
export async function attachmentRefs(tx: Db, messageRowId: number): Promise<OutboxAttachment[]> {
  // Without the content column: the bytes stay in the database until the sender reads them.
  const rows = await listAttachmentHeads(tx, messageRowId);
  return rows.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, attachmentId: a.id }));
}
