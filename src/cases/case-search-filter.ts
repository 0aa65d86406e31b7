/**
 * What `case search` (and the board's queue) may ask for, checked from what a person typed: flags on the
 * command line, a query string on the board. Pure: the raw strings in, a filter or the first mistake out,
 * with a message naming the flag.
 */
import { COMMAND_STATUSES, type CommandStatus } from "./commands.js";

export interface CaseSearchFilter {
  /** Organization name, exact. */
  organization?: string;
  /** Any of these statuses. */
  statuses?: CommandStatus[];
  /** Severity id as stored on cases ("2", "P1"). */
  severity?: string;
  policy?: string;
  /** A staff email, or "none" for unassigned cases. */
  assignee?: string;
  /** Only cases with a metric breached now (met late, or still open past its due time). */
  breached?: boolean;
  /** Only cases with a running metric due before this instant (epoch ms). */
  dueBefore?: number;
  /** Words searched (full text, stemmed) in the case's subject and in its messages' subjects and bodies. */
  text?: string;
  /** Page size and how many to skip; results are ordered by next due time, then newest first. */
  limit: number;
  offset: number;
}

export interface RawSearchFilter {
  org?: string;
  status?: string;
  severity?: string;
  policy?: string;
  assignee?: string;
  breached?: boolean;
  dueBefore?: string;
  text?: string;
  limit?: string;
  page?: string;
}

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export type FilterResult = { ok: true; filter: CaseSearchFilter } | { ok: false; message: string };

export function parseSearchFilter(raw: RawSearchFilter): FilterResult {
  const fail = (message: string): FilterResult => ({ ok: false, message });
  const statuses = raw.status?.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  const unknown = statuses?.find((s) => !(COMMAND_STATUSES as readonly string[]).includes(s));
  if (unknown !== undefined) return fail(`--status: unknown status "${unknown}": use ${COMMAND_STATUSES.join(", ")} (several separated by commas)`);
  let dueBefore: number | undefined;
  if (raw.dueBefore !== undefined) {
    // An instant, so the offset is required: "2026-11-24T17:00:00Z" or "…+01:00".
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(raw.dueBefore) || Number.isNaN(Date.parse(raw.dueBefore))) {
      return fail(`--due-before: "${raw.dueBefore}" is not an ISO 8601 instant with an offset, like 2026-11-24T17:00:00Z`);
    }
    dueBefore = Date.parse(raw.dueBefore);
  }
  const limit = positive(raw.limit, DEFAULT_PAGE_SIZE);
  if (limit === null || limit > MAX_PAGE_SIZE) return fail(`--limit: "${raw.limit}" is not a whole number from 1 to ${MAX_PAGE_SIZE}`);
  const page = positive(raw.page, 1);
  if (page === null) return fail(`--page: "${raw.page}" is not a whole number from 1`);
  const text = raw.text?.trim();
  return {
    ok: true,
    filter: {
      ...(raw.org !== undefined ? { organization: raw.org } : {}),
      ...(statuses?.length ? { statuses: [...new Set(statuses)] as CommandStatus[] } : {}),
      ...(raw.severity !== undefined ? { severity: raw.severity } : {}),
      ...(raw.policy !== undefined ? { policy: raw.policy } : {}),
      ...(raw.assignee !== undefined ? { assignee: raw.assignee.trim().toLowerCase() } : {}),
      ...(raw.breached ? { breached: true } : {}),
      ...(dueBefore !== undefined ? { dueBefore } : {}),
      ...(text ? { text } : {}),
      limit,
      offset: (page - 1) * limit,
    },
  };
}

function positive(value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  return /^\d+$/.test(value) && Number(value) >= 1 ? Number(value) : null;
}
