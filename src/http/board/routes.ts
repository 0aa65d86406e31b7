/**
 * The board's one route, "/board/*": the security headers every answer carries, the session check before
 * every page and download (the staff member re-read each time, so a deactivation ends access at once), and
 * the dispatch to the pages.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { boardCookieKey } from "../../store/repos/board.js";
import { getStaff } from "../../store/repos/staff.js";
import { page, type BoardDeps, type Session } from "./board-deps.js";
import type { Reply, Route } from "../server.js";
import { boardPages } from "./pages.js";
import { linkRefused, linkSent, signInForm } from "./pages/sign-in.js";
import { confirmLink } from "./pages/confirm.js";
import { readCookie, SESSION_COOKIE, sessionCookie, signSession, verifySession } from "./session.js";
import { LINK_MINUTES, redeemLink, requestSignInLink } from "./sign-in.js";
import { BOARD_CSS, BOARD_JS } from "./static.js";

/** 'self' only and nothing inline: a script a customer smuggled into a page could not run. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const SECURITY_HEADERS = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

export type { BoardDeps };

export function boardRoutes(deps: BoardDeps): Map<string, Route> {
  let key: Promise<string> | undefined;
  const cookieKey = () => (key ??= deps.secret ? Promise.resolve(deps.secret) : boardCookieKey(deps.db, randomBytes(32).toString("base64url"), new Date(deps.clock.now())));
  const pages = boardPages(deps);
  const secure = () => deps.baseUrl().startsWith("https:");

  async function answer(request: IncomingMessage): Promise<Reply> {
    const url = new URL(request.url ?? "/", "http://board");
    const path = url.pathname;
    const method = request.method ?? "GET";
    if (path === "/board") return redirect("/board/");
    if (path === "/board/static/board.js") return { status: 200, contentType: "text/javascript; charset=utf-8", body: BOARD_JS };
    if (path === "/board/static/board.css") return { status: 200, contentType: "text/css; charset=utf-8", body: BOARD_CSS };
    if (path === "/board/sign-in" && method === "POST") {
      const email = new URLSearchParams(await readBody(request)).get("email") ?? "";
      if (await requestSignInLink(deps.db, deps.desk, deps.logger, deps.baseUrl(), email, deps.clock.now())) deps.onQueued?.();
      return page(200, linkSent(LINK_MINUTES));
    }
    if (path === "/board/sign-in") return page(200, signInForm());
    // GET only shows a button: mail scanners that open links must not use up the one sign-in.
    if (path === "/board/sign-in/link" && method !== "POST") return page(200, confirmLink(url.searchParams.get("token") ?? ""));
    if (path === "/board/sign-in/link") return signIn(new URLSearchParams(await readBody(request)).get("token") ?? "");
    if (path === "/board/sign-out") return redirect("/board/sign-in", sessionCookie("", 0, secure()));
    if (method !== "GET" && method !== "HEAD") return page(405, signInForm("The board is read-only."));
    const session = await sessionOf(request);
    if (!session) return redirect("/board/sign-in");
    return pages(path, url.searchParams, session);
  }

  async function signIn(token: string): Promise<Reply> {
    const now = deps.clock.now();
    const redeemed = await redeemLink(deps.db, token, now);
    if (!redeemed.ok) {
      deps.logger.warn({ reason: redeemed.reason }, "board sign-in link refused");
      return page(403, linkRefused(redeemed.reason));
    }
    const maxAge = deps.sessionHours * 3600;
    return redirect("/board/", sessionCookie(signSession(await cookieKey(), redeemed.staffId, now + maxAge * 1000), maxAge, secure()));
  }

  async function sessionOf(request: IncomingMessage): Promise<Session | null> {
    const staffId = verifySession(await cookieKey(), readCookie(request.headers.cookie, SESSION_COOKIE), deps.clock.now());
    if (staffId === null) return null;
    const member = await getStaff(deps.db, staffId);
    return member?.active ? { staff: member } : null;
  }

  const route: Route = async (request) => {
    const reply = await answer(request);
    return { ...reply, headers: { ...SECURITY_HEADERS, ...reply.headers } };
  };
  return new Map([["/board/*", route]]);
}

function redirect(location: string, cookie?: string): Reply {
  return { status: 303, contentType: "text/plain; charset=utf-8", body: `see ${location}\n`, headers: { location, ...(cookie ? { "set-cookie": cookie } : {}) } };
}

/** A sign-in form's body: small, so a client cannot make us buffer much. */
async function readBody(request: IncomingMessage, limit = 4096): Promise<string> {
  let body = "";
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > limit) break;
  }
  return body.slice(0, limit);
}
