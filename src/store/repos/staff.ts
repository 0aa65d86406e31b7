/** Our own people: engineers answer cases, managers get digests and breach alerts, executives escalations. */
import { and, asc, eq, inArray } from "drizzle-orm";
import { AppError } from "../../errors.js";
import { normalizeAddress } from "../../mail/address.js";
import type { Db } from "../database.js";
import { isUniqueViolation } from "../errors.js";
import { cases, organizations, STAFF_ROLES, staff, type StaffRole } from "../schema/index.js";

export type Staff = typeof staff.$inferSelect;
export interface StaffInput {
  email: string;
  name: string;
  role: StaffRole;
  timeZone?: string | null;
}

export function parseStaffRole(value: string): StaffRole {
  if ((STAFF_ROLES as readonly string[]).includes(value)) return value as StaffRole;
  throw new AppError("E_INVALID", `unknown staff role "${value}": use one of ${STAFF_ROLES.join(", ")}`);
}

export async function createStaff(db: Db, input: StaffInput): Promise<Staff> {
  const role = parseStaffRole(input.role);
  try {
    const [row] = await db
      .insert(staff)
      .values({ ...input, role, email: normalizeAddress(input.email) })
      .returning();
    return row!;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("E_DUPLICATE", `a staff member with email ${normalizeAddress(input.email)} already exists`);
    throw error;
  }
}

export async function listStaff(db: Db, filter: { role?: StaffRole; activeOnly?: boolean } = {}): Promise<Staff[]> {
  const conditions = [
    filter.role ? eq(staff.role, filter.role) : undefined,
    filter.activeOnly ? eq(staff.active, true) : undefined,
  ];
  return db.select().from(staff).where(and(...conditions)).orderBy(asc(staff.email));
}

export async function getStaffByEmail(db: Db, email: string): Promise<Staff | undefined> {
  const [row] = await db.select().from(staff).where(eq(staff.email, normalizeAddress(email)));
  return row;
}

export async function getStaff(db: Db, id: number): Promise<Staff | undefined> {
  const [row] = await db.select().from(staff).where(eq(staff.id, id));
  return row;
}

/** Active managers: digest recipients and breach-alert audience. */
export const listManagers = (db: Db): Promise<Staff[]> => listStaff(db, { role: "manager", activeOnly: true });

/**
 * A deactivated staff member keeps their history but is no longer anyone's recipient (reminders, new-case notices,
 * digests: every audience reads active staff only) and their `#` commands by mail are not taken as staff's.
 */
/**
 * Sets a staff member's `active` flag; `changed` is false when it already was so (the CLI says so rather
 * than reporting a change that did not happen).
 */
export async function setStaffActive(db: Db, email: string, active: boolean): Promise<{ member: Staff; changed: boolean }> {
  const address = normalizeAddress(email);
  const [before] = await db.select({ active: staff.active }).from(staff).where(eq(staff.email, address));
  if (!before) throw new AppError("E_NOT_FOUND", `no staff member with email ${address}`);
  const [member] = await db.update(staff).set({ active }).where(eq(staff.email, address)).returning();
  return { member: member!, changed: before.active !== active };
}

/** What still names a staff member: the numbers of their open or waiting cases, and the organizations they are the engineer of. */
export async function staffReferences(db: Db, staffId: number): Promise<{ openCases: number[]; engineerOf: string[] }> {
  const [open, orgs] = await Promise.all([
    db
      .select({ number: cases.number })
      .from(cases)
      .where(and(eq(cases.assigneeId, staffId), inArray(cases.status, ["open", "waiting"])))
      .orderBy(asc(cases.number)),
    db.select({ name: organizations.name }).from(organizations).where(eq(organizations.engineerId, staffId)).orderBy(asc(organizations.name)),
  ]);
  return { openCases: open.map((r) => r.number), engineerOf: orgs.map((r) => r.name) };
}
