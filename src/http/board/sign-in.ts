/**
 * Sign-in by a one-time link mailed through the product's own outbox: only active staff get one (anyone
 * else the same page, and a warn log), the token is random and kept only as its SHA-256, it expires and
 * works once. Redeeming it gives a signed session cookie.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Desk } from "../../desk.js";
import { normalizeAddress } from "../../mail/address.js";
import { deskNotice } from "../../outbox/desk-notice.js";
import { enqueue } from "../../outbox/queue.js";
import type { Db } from "../../store/database.js";
import { insertSignInLink, redeemSignInLink, type SignInRedemption } from "../../store/repos/board.js";
import { getStaff, getStaffByEmail } from "../../store/repos/staff.js";
import { tokenHash } from "./session.js";

/** How long a mailed link works. */
export const LINK_MINUTES = 15;

/** Queues the link mail when `email` is active staff (true); the caller's page says the same either way. */
export async function requestSignInLink(db: Db, desk: Desk, logger: Logger, baseUrl: string, email: string, now: number): Promise<boolean> {
  const address = normalizeAddress(email);
  const member = address ? await getStaffByEmail(db, address) : undefined;
  if (!member?.active) {
    logger.warn({ email: address ?? email.slice(0, 200) }, "board sign-in asked for an address that is not active staff; no link sent");
    return false;
  }
  const token = randomBytes(32).toString("base64url");
  const link = `${baseUrl.replace(/\/$/, "")}/board/sign-in/link?token=${token}`;
  const hash = tokenHash(token);
  const key = `board-sign-in:${hash.slice(0, 32)}`;
  const body = desk.templates.render("board-sign-in", { name: member.name, link, minutes: LINK_MINUTES, supportAddress: desk.fromAddress });
  await db.transaction(async (tx) => {
    await insertSignInLink(tx, { staffId: member.id, tokenHash: hash, createdAt: new Date(now), expiresAt: new Date(now + LINK_MINUTES * 60_000) });
    await enqueue(tx, deskNotice(desk, { key, kind: "board-sign-in", caseId: null, to: [member.email], subject: "Your sign-in link to the support board", body }), now);
  });
  logger.info({ staff: member.email }, "board sign-in link queued");
  return true;
}

export type Redeemed = { ok: true; staffId: number } | { ok: false; reason: Exclude<SignInRedemption, { ok: true }>["reason"] | "inactive" };

/** Uses the link; a staff member deactivated since it was mailed is refused too. */
export async function redeemLink(db: Db, token: string, now: number): Promise<Redeemed> {
  const result = await redeemSignInLink(db, tokenHash(token), new Date(now));
  if (!result.ok) return result;
  const member = await getStaff(db, result.staffId);
  return member?.active ? result : { ok: false, reason: "inactive" };
}
