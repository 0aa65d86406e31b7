/**
 * Customer contacts. Emails are lowercased on the way in, so every lookup is an exact match on the
 * unique index; DTCs (designated technical contacts) are the contacts with `dtc` set.
 */
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { AppError } from "../../errors.js";
import { normalizeAddress } from "../../mail/address.js";
import type { Db } from "../database.js";
import { isUniqueViolation } from "../errors.js";
import { contacts, organizations } from "../schema/index.js";

export type Contact = typeof contacts.$inferSelect;
export interface ContactInput {
  email: string;
  name: string;
  organizationId: number;
  dtc?: boolean;
  active?: boolean;
  timeZone?: string | null;
}
export type UpsertOutcome = "created" | "updated" | "unchanged";

export async function createContact(db: Db, input: ContactInput): Promise<Contact> {
  try {
    const [row] = await db
      .insert(contacts)
      .values({ ...input, email: normalizeAddress(input.email) })
      .returning();
    return row!;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("E_DUPLICATE", `a contact with email ${normalizeAddress(input.email)} already exists`);
    throw error;
  }
}

/** Inserts or brings an existing contact (same email) up to date; says which happened. */
export async function upsertContact(db: Db, input: ContactInput): Promise<{ contact: Contact; outcome: UpsertOutcome }> {
  const email = normalizeAddress(input.email);
  const existing = await getContactByEmail(db, email);
  if (!existing) return { contact: await createContact(db, input), outcome: "created" };
  const wanted = {
    name: input.name,
    organizationId: input.organizationId,
    dtc: input.dtc ?? existing.dtc,
    active: input.active ?? existing.active,
    timeZone: input.timeZone === undefined ? existing.timeZone : input.timeZone,
  };
  const same = (Object.keys(wanted) as Array<keyof typeof wanted>).every((k) => wanted[k] === existing[k]);
  if (same) return { contact: existing, outcome: "unchanged" };
  const [row] = await db.update(contacts).set(wanted).where(eq(contacts.id, existing.id)).returning();
  return { contact: row!, outcome: "updated" };
}

export async function getContactByEmail(db: Db, email: string): Promise<Contact | undefined> {
  const [row] = await db.select().from(contacts).where(eq(contacts.email, normalizeAddress(email)));
  return row;
}

/** The sender check: an active contact with exactly this address (case-insensitive). */
export async function findActiveContactByEmail(db: Db, email: string): Promise<Contact | undefined> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.email, normalizeAddress(email)), eq(contacts.active, true)));
  return row;
}

export async function listContacts(db: Db, filter: { organizationId?: number } = {}): Promise<Contact[]> {
  const where = filter.organizationId === undefined ? undefined : eq(contacts.organizationId, filter.organizationId);
  return db.select().from(contacts).where(where).orderBy(asc(contacts.email));
}

/** Deactivated contacts can no longer open cases; their history stays. */
export async function deactivateContact(db: Db, email: string): Promise<Contact> {
  const [row] = await db
    .update(contacts)
    .set({ active: false })
    .where(eq(contacts.email, normalizeAddress(email)))
    .returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no contact with email ${normalizeAddress(email)}`);
  return row;
}

/** Active DTCs of an organization other than the given contact (acknowledgment Cc list). */
export async function otherDtcs(db: Db, organizationId: number, exceptContactId: number): Promise<Contact[]> {
  return db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.organizationId, organizationId),
        eq(contacts.dtc, true),
        eq(contacts.active, true),
        ne(contacts.id, exceptContactId),
      ),
    )
    .orderBy(asc(contacts.email));
}

/**
 * Makes `email` the organization's named point of contact (or, with `named` false, no longer), in one
 * transaction: the flag moves from any other contact of the organization, and the organization holds the
 * `named-contact` entitlement exactly while one of its contacts carries the flag (the SLA engine reads the
 * entitlement). Returns the contact and whom the flag moved from.
 */
export async function setNamedContact(db: Db, email: string, named: boolean): Promise<{ contact: Contact; previous: string | null }> {
  return db.transaction(async (tx) => {
    const found = await getContactByEmail(tx, email);
    if (!found) throw new AppError("E_NOT_FOUND", `no contact with email ${normalizeAddress(email)}`);
    const [previous] = named
      ? await tx
          .update(contacts)
          .set({ namedContact: false })
          .where(and(eq(contacts.organizationId, found.organizationId), eq(contacts.namedContact, true), ne(contacts.id, found.id)))
          .returning()
      : [];
    const [row] = await tx.update(contacts).set({ namedContact: named, updatedAt: sql`now()` }).where(eq(contacts.id, found.id)).returning();
    const entitlement = named
      ? sql`array_append(array_remove(${organizations.entitlements}, 'named-contact'), 'named-contact')`
      : sql`array_remove(${organizations.entitlements}, 'named-contact')`;
    await tx.update(organizations).set({ entitlements: entitlement }).where(eq(organizations.id, found.organizationId));
    return { contact: row!, previous: previous?.email ?? null };
  });
}
