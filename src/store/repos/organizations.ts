/** Customer organizations: created by the CLI, read by the inbound pipeline and the SLA engine. */
import type { ServiceLevel } from "../../policy/types.js";
import type { Agreement } from "../../entitlements/agreement.js";
import { asc, eq, sql } from "drizzle-orm";
import { AppError } from "../../errors.js";
import type { Db } from "../database.js";
import { isUniqueViolation } from "../errors.js";
import { organizations } from "../schema/index.js";

export type Organization = typeof organizations.$inferSelect;
export type NewOrganization = Omit<typeof organizations.$inferInsert, "id" | "createdAt">;

export async function createOrganization(db: Db, input: NewOrganization): Promise<Organization> {
  const values = { ...input, domains: (input.domains ?? []).map((d) => d.trim().toLowerCase()) };
  try {
    const [row] = await db.insert(organizations).values(values).returning();
    return row!;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("E_DUPLICATE", `organization "${input.name}" already exists`);
    throw error;
  }
}

export async function getOrganization(db: Db, id: number): Promise<Organization | undefined> {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, id));
  return row;
}

export async function getOrganizationByName(db: Db, name: string): Promise<Organization | undefined> {
  const [row] = await db.select().from(organizations).where(eq(organizations.name, name));
  return row;
}

/** Like getOrganizationByName, but an unknown name is a user error naming the organization. */
export async function requireOrganizationByName(db: Db, name: string): Promise<Organization> {
  const org = await getOrganizationByName(db, name);
  if (!org) throw new AppError("E_NOT_FOUND", `unknown organization "${name}" (see: support-inbox org list)`);
  return org;
}

export async function listOrganizations(db: Db): Promise<Organization[]> {
  return db.select().from(organizations).orderBy(asc(organizations.name));
}

/** The organization owning a mail domain, to tell a non-DTC colleague from a stranger. */
export async function findOrganizationByDomain(db: Db, domain: string): Promise<Organization | undefined> {
  const d = domain.trim().toLowerCase();
  const [row] = await db
    .select()
    .from(organizations)
    .where(sql`${organizations.domains} @> array[${d}]::text[]`)
    .orderBy(asc(organizations.id))
    .limit(1);
  return row;
}

export async function updateEntitlements(db: Db, id: number, entitlements: string[]): Promise<Organization> {
  const [row] = await db.update(organizations).set({ entitlements }).where(eq(organizations.id, id)).returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no organization with id ${id}`);
  return row;
}

/** Stores (or, with null, removes) the service levels of an organization's contract. */
export async function setContract(db: Db, id: number, contract: ServiceLevel[] | null): Promise<Organization> {
  const [row] = await db.update(organizations).set({ contract }).where(eq(organizations.id, id)).returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no organization with id ${id}`);
  return row;
}

/** Sets (or, with null, removes) the engineer who hears first of the organization's new cases. */
export async function setOrganizationEngineer(db: Db, id: number, engineerId: number | null): Promise<Organization> {
  const [row] = await db.update(organizations).set({ engineerId }).where(eq(organizations.id, id)).returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no organization with id ${id}`);
  return row;
}

/** Sets an organization's contract term (days "YYYY-MM-DD"; end null: open-ended). Checked by the caller. */
export async function setContractTerm(db: Db, id: number, term: { contractStart: string | null; contractEnd: string | null }): Promise<Organization> {
  const [row] = await db.update(organizations).set(term).where(eq(organizations.id, id)).returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no organization with id ${id}`);
  return row;
}

/** Sets (or, with null, removes) whom the customer asks about the agreement itself. */
export async function setAccountContact(db: Db, id: number, accountContact: string | null): Promise<Organization> {
  const [row] = await db.update(organizations).set({ accountContact }).where(eq(organizations.id, id)).returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no organization with id ${id}`);
  return row;
}

/** Stores (or, with null, removes) the rest of the contract: ticket allowance, carry-over cap, own hours. */
export async function setAgreement(db: Db, id: number, agreement: Agreement | null): Promise<Organization> {
  const [row] = await db.update(organizations).set({ agreement }).where(eq(organizations.id, id)).returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no organization with id ${id}`);
  return row;
}

/** What `org add` sets and `org set` may change later: zone, plan, mail domains, entitlements, closed days. Checked by the caller. */
export type OrganizationProfile = Partial<Pick<Organization, "timeZone" | "plan" | "domains" | "entitlements" | "closedDates">>;

export async function setOrganizationProfile(db: Db, id: number, profile: OrganizationProfile): Promise<Organization> {
  const [row] = await db.update(organizations).set(profile).where(eq(organizations.id, id)).returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no organization with id ${id}`);
  return row;
}
