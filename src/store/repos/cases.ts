/** Cases: created by the inbound pipeline, changed by staff and the scheduler, listed by the CLI. */
import { and, asc, desc, eq, inArray, isNotNull, lte } from "drizzle-orm";
import { AppError } from "../../errors.js";
import type { Db } from "../database.js";
import { cases, type CaseStatusValue } from "../schema/index.js";

export { CASE_STATUSES, type CaseStatusValue } from "../schema/index.js";

export type Case = typeof cases.$inferSelect;
export type NewCase = Omit<typeof cases.$inferInsert, "id" | "number">;
/** Fields a change may touch; `updatedAt` is required because time comes from the caller's clock. */
export type CasePatch = Partial<Omit<NewCase, "openedAt" | "updatedAt">> & { updatedAt: Date };

/** Inserts a case; its human number comes from the database sequence, so it is never reused. */
export async function createCase(db: Db, input: NewCase): Promise<Case> {
  const [row] = await db.insert(cases).values(input).returning();
  return row!;
}

export async function getCase(db: Db, id: number): Promise<Case | undefined> {
  const [row] = await db.select().from(cases).where(eq(cases.id, id));
  return row;
}

export async function getCaseByNumber(db: Db, number: number): Promise<Case | undefined> {
  const [row] = await db.select().from(cases).where(eq(cases.number, number));
  return row;
}

export async function requireCaseByNumber(db: Db, number: number): Promise<Case> {
  const row = await getCaseByNumber(db, number);
  if (!row) throw new AppError("E_NOT_FOUND", `no case #${number}`);
  return row;
}

export interface CaseFilter {
  status?: CaseStatusValue;
  organizationId?: number;
  limit?: number;
}

/** Newest first. */
export async function listCases(db: Db, filter: CaseFilter = {}): Promise<Case[]> {
  const where = and(
    filter.status ? eq(cases.status, filter.status) : undefined,
    filter.organizationId === undefined ? undefined : eq(cases.organizationId, filter.organizationId),
  );
  return db
    .select()
    .from(cases)
    .where(where)
    .orderBy(desc(cases.number))
    .limit(filter.limit ?? 1000);
}

export async function updateCase(db: Db, id: number, patch: CasePatch): Promise<Case> {
  const [row] = await db.update(cases).set(patch).where(eq(cases.id, id)).returning();
  if (!row) throw new AppError("E_NOT_FOUND", `no case with id ${id}`);
  return row;
}

/**
 * The scheduler's claim: cases whose next action is due, oldest first, locked for this
 * transaction. SKIP LOCKED lets several workers tick at once without waiting on or repeating
 * each other's cases; call it inside db.transaction so the locks last until the commit.
 */
export async function lockDueCases(db: Db, now: Date, limit: number): Promise<Case[]> {
  return db
    .select()
    .from(cases)
    .where(and(isNotNull(cases.nextActionAt), lte(cases.nextActionAt, now)))
    .orderBy(asc(cases.nextActionAt))
    .limit(limit)
    .for("update", { skipLocked: true });
}

/** Human numbers of these cases by id (file names and logs of the sender). */
export async function caseNumbersByIds(db: Db, ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const found = await db.select({ id: cases.id, number: cases.number }).from(cases).where(inArray(cases.id, ids));
  return new Map(found.map((c) => [c.id, c.number]));
}
