/**
 * What the lifecycle notices read and write (schema/lifecycle.ts): the cases that name a product, the
 * organizations' active DTCs, and the notice record queued in one transaction with its outbox row.
 */
import { and, asc, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Db } from "../database.js";
import { cases, contacts, lifecycleNotices, organizations } from "../schema/index.js";

export interface LifecycleCaseRow {
  number: number;
  organizationId: number;
  organization: string;
  policyId: string;
  product: string | null;
  version: string | null;
}

/** Cases under the given policies that name a product or a version (the template's fields as stored at intake). */
export async function casesNamingProducts(db: Db, policyIds: string[]): Promise<LifecycleCaseRow[]> {
  if (policyIds.length === 0) return [];
  const product = sql<string | null>`${cases.templateFields}->>'product'`;
  return db
    .select({ number: cases.number, organizationId: cases.organizationId, organization: organizations.name, policyId: cases.policyId, product, version: cases.productVersion })
    .from(cases)
    .innerJoin(organizations, eq(organizations.id, cases.organizationId))
    .where(and(inArray(cases.policyId, policyIds), or(isNotNull(product), isNotNull(cases.productVersion))))
    .orderBy(asc(cases.number));
}

/** Active DTC addresses per organization. */
export async function activeDtcAddresses(db: Db, organizationIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (organizationIds.length === 0) return out;
  const rows = await db
    .select({ organizationId: contacts.organizationId, email: contacts.email })
    .from(contacts)
    .where(and(inArray(contacts.organizationId, organizationIds), eq(contacts.dtc, true), eq(contacts.active, true)))
    .orderBy(asc(contacts.email));
  for (const r of rows) out.set(r.organizationId, [...(out.get(r.organizationId) ?? []), r.email]);
  return out;
}

export type LifecycleNoticeRow = typeof lifecycleNotices.$inferSelect;

export async function listLifecycleNotices(db: Db): Promise<LifecycleNoticeRow[]> {
  return db.select().from(lifecycleNotices).orderBy(asc(lifecycleNotices.id));
}

/** Records a notice; false when it was recorded before (then nothing may be queued for it). Run inside the transaction that queues its mail. */
export async function recordLifecycleNotice(tx: Db, row: Omit<typeof lifecycleNotices.$inferInsert, "id">): Promise<boolean> {
  const [created] = await tx.insert(lifecycleNotices).values(row).onConflictDoNothing().returning({ id: lifecycleNotices.id });
  return created !== undefined;
}
