/**
 * The end-to-end ingest bench's check of its own run: every message in Processed exactly once and
 * committed exactly once, nothing left or quarantined, one case each, a clean stop. Figures from a
 * run that fails it are not valid.
 */
import type { ServiceProcess } from "./ingest-service.js";

export interface VerifyInput {
  stats: ServiceProcess;
  processed: Array<{ index: number | null }>;
  leftover: number;
  quarantined: number;
  cases: number;
  total: number;
  exit: string;
  /** The IMAP folder the bench appended to and the database the service wrote: named in the problems. */
  folder: string;
  database: string;
}

/** Everything that would make the figures meaningless, as readable lines (empty: all good). */
export function verify(v: VerifyInput): string[] {
  const problems: string[] = [];
  const inProcessed = new Map<number, number>();
  let foreign = 0;
  for (const m of v.processed) {
    if (m.index === null || m.index >= v.total) foreign++;
    else inProcessed.set(m.index, (inProcessed.get(m.index) ?? 0) + 1);
  }
  const missing: number[] = [];
  const twice: number[] = [];
  const uncommitted: number[] = [];
  const reapplied: number[] = [];
  for (let i = 0; i < v.total; i++) {
    const copies = inProcessed.get(i) ?? 0;
    if (copies === 0) missing.push(i);
    if (copies > 1) twice.push(i);
    const applied = (v.stats.commits.get(i) ?? []).filter((c) => c.outcome !== "duplicate").length;
    if (applied === 0) uncommitted.push(i);
    if (applied > 1) reapplied.push(i);
  }
  const some = (l: number[]) => l.slice(0, 10).join(", ") + (l.length > 10 ? ", …" : "");
  if (missing.length) problems.push(`${missing.length} messages not in Processed: ${some(missing)}`);
  if (twice.length) problems.push(`${twice.length} messages in Processed more than once: ${some(twice)}`);
  if (foreign) problems.push(`${foreign} messages in Processed that this run did not append`);
  if (uncommitted.length) problems.push(`${uncommitted.length} messages without an outcome line: ${some(uncommitted)}`);
  if (reapplied.length) problems.push(`${reapplied.length} messages applied more than once: ${some(reapplied)}`);
  if (v.leftover) problems.push(`${v.leftover} messages still in ${v.folder}`);
  if (v.quarantined) problems.push(`${v.quarantined} messages quarantined`);
  if (v.cases !== v.total) problems.push(`${v.cases} cases in ${v.database}, expected ${v.total}`);
  if (v.exit !== "code 0") problems.push(`the service did not stop cleanly on SIGTERM (${v.exit})`);
  return problems;
}
