/**
 * The queue page's data: the filters of `case search` read from the query string by its own parser
 * (src/cases/case-search-filter.ts; open and waiting cases unless a status is asked for), one page of
 * `searchCasesPage` in next-due order (no total: counting 100,000 cases costs more than the page), each case's clock evaluated now, and the choices of the filter form.
 */
import { DEFAULT_PAGE_SIZE, parseSearchFilter, type CaseSearchFilter } from "../../cases/case-search-filter.js";
import { AppError } from "../../errors.js";
import type { Policy } from "../../policy/types.js";
import type { Db } from "../../store/database.js";
import { caseKeysByNumbers } from "../../store/repos/board.js";
import { searchCasesPage } from "../../store/repos/case-search.js";
import { listOrganizations } from "../../store/repos/organizations.js";
import { listStaff } from "../../store/repos/staff.js";
import { nextClock } from "./clock-view.js";
import { loadCaseSla } from "./load-sla.js";
import type { Choice, QueueView } from "./pages/queue.js";

/** `?org=&status=&severity=&policy=&assignee=&breached=1&due-before=ISO&text=&page=N`; a mistake is an E_INVALID naming the field. */
export function parseQueueQuery(q: URLSearchParams): CaseSearchFilter {
  const get = (name: string) => q.get(name)?.trim() || undefined;
  const parsed = parseSearchFilter({
    org: get("org"),
    status: get("status") ?? "open,waiting",
    severity: get("severity"),
    policy: get("policy"),
    assignee: get("assignee"),
    breached: get("breached") === "1",
    dueBefore: get("due-before"),
    text: get("text"),
    page: get("page"),
    limit: String(DEFAULT_PAGE_SIZE),
  });
  // The parser names command-line flags; on the board they are the form's fields.
  if (!parsed.ok) throw new AppError("E_INVALID", parsed.message.replace(/^--/, ""));
  return parsed.filter;
}

export async function loadQueue(db: Db, policies: ReadonlyMap<string, Policy>, filter: CaseSearchFilter, now: number): Promise<Omit<QueueView, "zone">> {
  const [found, orgs, staff] = await Promise.all([searchCasesPage(db, filter, now), listOrganizations(db), listStaff(db)]);
  const keys = await caseKeysByNumbers(db, found.rows.map((r) => r.number));
  const sla = await loadCaseSla(db, policies, keys, now);
  const idOf = new Map(keys.map((k) => [k.number, k.id]));
  const items = found.rows.map((r) => {
    const s = sla.get(idOf.get(r.number)!)!;
    return { ...r, clock: "metrics" in s ? nextClock(s.metrics) : null, error: "error" in s ? s.error : undefined };
  });
  const severities = [...new Set([...policies.values()].flatMap((p) => p.severities.map((s) => s.id)))].sort();
  return {
    items,
    filter,
    more: found.more,
    options: { organizations: orgs.map((o) => o.name).sort(), policies: [...policies.keys()].sort(), severities, assignees: assigneeChoices(staff) },
  };
}

/** Active staff first, then the deactivated, who may still hold open cases. */
function assigneeChoices(staff: Array<{ email: string; active: boolean }>): Choice[] {
  const byEmail = [...staff].sort((a, b) => Number(b.active) - Number(a.active) || a.email.localeCompare(b.email));
  return byEmail.map((s) => (s.active ? s.email : { value: s.email, label: `${s.email} (deactivated)` }));
}
