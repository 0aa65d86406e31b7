/**
 * The queue page's data: the filter read from the query string (errors named for the person who typed
 * them), one page of open cases in next-due order, each case's clock as of now, and the filter choices.
 */
import { AppError } from "../../errors.js";
import type { Policy } from "../../policy/types.js";
import type { Db } from "../../store/database.js";
import { queuePage, type QueueFilter } from "../../store/repos/board.js";
import { listOrganizations } from "../../store/repos/organizations.js";
import { listStaff } from "../../store/repos/staff.js";
import { nextClock } from "./clock-view.js";
import { loadCaseSla } from "./load-sla.js";
import type { QueueView } from "./pages/queue.js";

export const PAGE_SIZE = 50;

/** `?org=&status=&severity=&policy=&assignee=&breached=1&due-before=ISO&text=&page=N`, the filters of `case search`. */
export function parseQueueQuery(q: URLSearchParams): { filter: QueueFilter; page: number } {
  const get = (name: string) => q.get(name)?.trim() || undefined;
  const status = get("status");
  if (status !== undefined && status !== "open" && status !== "waiting") throw new AppError("E_INVALID", `status "${status}": the queue holds open and waiting cases`);
  const due = get("due-before");
  const dueBefore = due === undefined ? undefined : new Date(due);
  if (dueBefore && Number.isNaN(dueBefore.getTime())) throw new AppError("E_INVALID", `due-before "${due}" is not an ISO instant, e.g. 2026-12-01T17:00:00Z`);
  const page = Number(get("page") ?? "1");
  if (!Number.isInteger(page) || page < 1) throw new AppError("E_INVALID", `page "${get("page")}" is not a page number`);
  return {
    filter: { organization: get("org"), status, severity: get("severity"), policy: get("policy"), assignee: get("assignee"), breached: get("breached") === "1", dueBefore, text: get("text") },
    page,
  };
}

export async function loadQueue(db: Db, policies: ReadonlyMap<string, Policy>, filter: QueueFilter, page: number, now: number): Promise<Omit<QueueView, "zone">> {
  const [rows, orgs, staff] = await Promise.all([
    queuePage(db, filter, new Date(now), { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    listOrganizations(db),
    listStaff(db, { activeOnly: true }),
  ]);
  const shown = rows.slice(0, PAGE_SIZE);
  const sla = await loadCaseSla(db, policies, shown, now);
  const items = shown.map((r) => {
    const s = sla.get(r.id)!;
    return { ...r, clock: "metrics" in s ? nextClock(s.metrics) : null, error: "error" in s ? s.error : undefined };
  });
  const severities = [...new Set([...policies.values()].flatMap((p) => p.severities.map((s) => s.id)))].sort();
  return {
    items,
    filter,
    page,
    hasMore: rows.length > PAGE_SIZE,
    options: { organizations: orgs.map((o) => o.name).sort(), policies: [...policies.keys()].sort(), severities, assignees: staff.map((s) => s.email).sort() },
  };
}
