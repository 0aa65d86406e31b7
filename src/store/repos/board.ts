/**
 * What the board reads and the little it writes: its sign-in links and cookie key; the keys of a queue page's
 * cases (the queue itself is `searchCases`, src/store/repos/case-search.ts) and open cases per organization.
 */
import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../database.js";
import { boardSecret, boardSignInLinks, cases } from "../schema/index.js";

/** The cookie key kept in the database: the first caller's random one wins, every process reads the same. */
export async function boardCookieKey(db: Db, candidate: string, now: Date): Promise<string> {
  await db.insert(boardSecret).values({ id: 1, secret: candidate, createdAt: now }).onConflictDoNothing();
  const [row] = await db.select({ secret: boardSecret.secret }).from(boardSecret).where(eq(boardSecret.id, 1));
  return row!.secret;
}

export async function insertSignInLink(db: Db, link: { staffId: number; tokenHash: string; createdAt: Date; expiresAt: Date }): Promise<void> {
  await db.insert(boardSignInLinks).values(link);
}

export type SignInRedemption = { ok: true; staffId: number } | { ok: false; reason: "unknown" | "used" | "expired" };

/** Uses a link once: the update that marks it used is the check, so two tabs racing get one session. */
export async function redeemSignInLink(db: Db, tokenHash: string, now: Date): Promise<SignInRedemption> {
  const [used] = await db
    .update(boardSignInLinks)
    .set({ usedAt: now })
    .where(and(eq(boardSignInLinks.tokenHash, tokenHash), isNull(boardSignInLinks.usedAt), gt(boardSignInLinks.expiresAt, now)))
    .returning({ staffId: boardSignInLinks.staffId });
  if (used) return { ok: true, staffId: used.staffId };
  const [link] = await db.select().from(boardSignInLinks).where(eq(boardSignInLinks.tokenHash, tokenHash));
  if (!link) return { ok: false, reason: "unknown" };
  return { ok: false, reason: link.usedAt ? "used" : "expired" };
}

/** Written exactly as the partial index's predicate (migration 0011), as the open-case counts read it. */
const isOpen = sql`${cases.status} in ('open', 'waiting')`;

/** What the engine needs to evaluate these cases again, by case number (a page of `searchCases`). */
export async function caseKeysByNumbers(db: Db, numbers: number[]) {
  if (numbers.length === 0) return [];
  return db
    .select({ id: cases.id, number: cases.number, policyId: cases.policyId, organizationId: cases.organizationId, requesterId: cases.requesterId })
    .from(cases)
    .where(inArray(cases.number, numbers));
}

/** Open and waiting cases per organization id. */
export async function openCasesByOrganization(db: Db): Promise<Map<number, number>> {
  const rows = await db
    .select({ organizationId: cases.organizationId, count: sql<number>`count(*)::int` })
    .from(cases)
    .where(isOpen)
    .groupBy(cases.organizationId);
  return new Map(rows.map((r) => [r.organizationId, Number(r.count)]));
}

