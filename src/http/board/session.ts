/**
 * Sessions as signed cookies (pure: key, values and now in, text out): "staffId.expiresAtMs.mac", the mac an
 * HMAC-SHA256 of the rest, so a cookie cannot be forged or stretched without the key. Nothing about the
 * session is kept server-side; every request still re-reads the staff member (deactivation ends access).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "board_session";

export function signSession(key: string, staffId: number, expiresAt: number): string {
  const payload = `${staffId}.${expiresAt}`;
  return `${payload}.${mac(key, payload)}`;
}

/** The staff id of a valid, unexpired cookie value; null for anything else. */
export function verifySession(key: string, value: string | undefined, now: number): number | null {
  const match = /^(\d+)\.(\d+)\.([A-Za-z0-9_-]+)$/.exec(value ?? "");
  if (!match) return null;
  const expected = Buffer.from(mac(key, `${match[1]}.${match[2]}`));
  const given = Buffer.from(match[3]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (Number(match[2]) <= now) return null;
  return Number(match[1]);
}

/** Set-Cookie for a session: HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Path /board. */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/board; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

/** What the database keeps of a sign-in token: its SHA-256, never the token. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function mac(key: string, payload: string): string {
  return createHmac("sha256", key).update(payload).digest("base64url");
}
