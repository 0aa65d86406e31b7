/**
 * What counting an organization's tickets reads: each case's current type and status and its status changes
 * in order (src/entitlements/quota.ts derives the count from them). One statement for every organization asked.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import type { QuotaCase } from "../../entitlements/quota.js";
import type { Db } from "../database.js";
import { caseEvents, cases } from "../schema/index.js";

export async function quotaCasesOf(db: Db, organizationIds: number[]): Promise<Map<number, QuotaCase[]>> {
  const result = new Map<number, QuotaCase[]>(organizationIds.map((id) => [id, []]));
  if (organizationIds.length === 0) return result;
  const rows = await db
    .select({ organizationId: cases.organizationId, id: cases.id, number: cases.number, caseType: cases.caseType, status: cases.status, at: caseEvents.at, data: caseEvents.data })
    .from(cases)
    .leftJoin(caseEvents, and(eq(caseEvents.caseId, cases.id), eq(caseEvents.kind, "status-changed")))
    .where(inArray(cases.organizationId, organizationIds))
    .orderBy(asc(cases.id), asc(caseEvents.at), asc(caseEvents.id));
  let current: QuotaCase | undefined;
  let currentId: number | undefined;
  for (const r of rows) {
    if (currentId !== r.id || !current) {
      currentId = r.id;
      current = { number: r.number, caseType: r.caseType, status: r.status, statusChanges: [] };
      result.get(r.organizationId)!.push(current);
    }
    const to = r.data?.status;
    if (r.at && typeof to === "string") current.statusChanges.push({ at: r.at.getTime(), status: to });
  }
  return result;
}
