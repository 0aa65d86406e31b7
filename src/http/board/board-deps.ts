/** What the board's routes and pages share: their dependencies, the signed-in session, an HTML answer. */
import type { Logger } from "pino";
import type { Clock } from "../../clock/clock.js";
import type { Desk } from "../../desk.js";
import type { Db } from "../../store/database.js";
import type { Staff } from "../../store/repos/staff.js";
import type { Reply } from "../server.js";

export interface BoardDeps {
  db: Db;
  clock: Clock;
  desk: Desk;
  logger: Logger;
  /** How staff reach the board (the link in the mail): config http.boardUrl, else http://<listen>. */
  baseUrl: () => string;
  /** config http.boardSecret; absent: a random key kept in the database. */
  secret?: string;
  sessionHours: number;
  refreshSeconds: number;
  /** A sign-in link was queued: the worker wakes its outbox, so the link leaves now rather than at its next poll. */
  onQueued?: () => void;
}

export type Session = { staff: Staff };

export function page(status: number, body: string): Reply {
  return { status, contentType: "text/html; charset=utf-8", body };
}

