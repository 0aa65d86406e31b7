/**
 * A board on a real socket for tests: the worker's listener with the board's routes on a manual clock, the
 * warn log kept in memory, and sign-in by the link read back from the outbox row the request queued.
 */
import pino from "pino";
import { eq } from "drizzle-orm";
import type { ManualClock } from "../../src/clock/clock.js";
import { boardRoutes } from "../../src/http/board/routes.js";
import { listen, type HttpListener } from "../../src/http/server.js";
import type { Db } from "../../src/store/database.js";
import { outbox } from "../../src/store/schema/index.js";
import { testDesk } from "../support/desk.js";

export interface TestBoard {
  base: string;
  listener: HttpListener;
  /** Warn and error log lines as JSON objects. */
  logs: Array<{ msg: string; [k: string]: unknown }>;
  close(): Promise<void>;
}

export async function startBoard(db: Db, clock: ManualClock, opts: { refreshSeconds?: number } = {}): Promise<TestBoard> {
  const logs: TestBoard["logs"] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  let address = "";
  const routes = boardRoutes({ db, clock, desk: testDesk(), logger, baseUrl: () => `http://${address}`, sessionHours: 12, refreshSeconds: opts.refreshSeconds ?? 30 });
  const listener = await listen("127.0.0.1:0", routes, (error) => logs.push({ msg: String(error) }));
  address = listener.address;
  return { base: `http://${address}`, listener, logs, close: () => listener.close() };
}

/** The sign-in links mailed to `email`, newest last, read from the queued outbox rows. */
export async function mailedLinks(db: Db, email: string): Promise<string[]> {
  const rows = await db.select().from(outbox).where(eq(outbox.kind, "board-sign-in")).orderBy(outbox.id);
  return rows.filter((r) => r.to.includes(email)).map((r) => /https?:\/\/\S+\/board\/sign-in\/link\?token=[A-Za-z0-9_-]+/.exec(r.text)![0]);
}

export async function requestLink(base: string, email: string): Promise<Response> {
  return fetch(`${base}/board/sign-in`, { method: "POST", body: new URLSearchParams({ email }), redirect: "manual" });
}

/** Uses a mailed link as the confirm button does; the session cookie on success. */
export async function redeem(link: string): Promise<{ status: number; cookie: string | null; body: string }> {
  const url = new URL(link);
  const response = await fetch(`${url.origin}/board/sign-in/link`, { method: "POST", body: new URLSearchParams({ token: url.searchParams.get("token")! }), redirect: "manual" });
  const setCookie = response.headers.get("set-cookie");
  return { status: response.status, cookie: setCookie ? setCookie.split(";")[0]! : null, body: await response.text() };
}

export async function signIn(db: Db, base: string, email: string): Promise<string> {
  await requestLink(base, email);
  const links = await mailedLinks(db, email);
  const { cookie } = await redeem(links.at(-1)!);
  if (!cookie) throw new Error(`sign-in of ${email} gave no cookie`);
  return cookie;
}
