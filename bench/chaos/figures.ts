/**
 * What a chaos scenario counts, from outside the worker: the database (cases, stored requests,
 * acknowledgment rows, quarantine records), the IMAP folders (where each message ended up) and the SMTP
 * sink (deliveries per Message-ID). Valid requests are bench-<i> messages, "[SevN] Bench request <i>";
 * everything else in the folders is a malformed mail the scenario appended.
 */
import postgres from "postgres";
import { readFolder } from "../ingest-append.js";
import type { Chaos, Stage } from "./env.js";

export interface DbState {
  /** Valid request indices stored with a case. */
  withCase: Set<number>;
  /** Cases per valid request index (by the case subject). */
  casesPerRequest: Map<number, number>;
  cases: number;
  caseIds: number[];
  acks: Array<{ caseId: number; messageId: string }>;
  outboxWaiting: number;
  quarantinedRows: number;
  quarantinedWithReason: number;
}

const INDEX = /bench-(\d+)@/;
const SUBJECT_INDEX = /Bench request (\d+)\s*$/;

/** One read of the scenario's database; null while the database cannot be reached (an outage). */
export async function readDb(url: string): Promise<DbState | null> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 2, idle_timeout: 1 });
  try {
    const msgs = await sql<{ message_id: string }[]>`select message_id from messages where direction = 'in' and case_id is not null and message_id like '%bench-%'`;
    const cases = await sql<{ id: number; subject: string }[]>`select id, subject from cases`;
    const acks = await sql<{ case_id: number; message_id: string }[]>`select case_id, message_id from outbox where kind = 'acknowledgment'`;
    const [w] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where state in ('queued', 'sending')`;
    const [q] = await sql<{ n: number; reason: number }[]>`
      select count(*)::int as n, count(*) filter (where coalesce(reason_code, '') <> '' and coalesce(detail, '') <> '')::int as reason
      from inbound_rejections where disposition = 'quarantined'`;
    const casesPerRequest = new Map<number, number>();
    for (const c of cases) {
      const i = SUBJECT_INDEX.exec(c.subject)?.[1];
      if (i !== undefined) casesPerRequest.set(Number(i), (casesPerRequest.get(Number(i)) ?? 0) + 1);
    }
    return {
      withCase: new Set(msgs.map((m) => Number(INDEX.exec(m.message_id)?.[1] ?? -1))),
      casesPerRequest,
      cases: cases.length,
      caseIds: cases.map((c) => c.id),
      acks: acks.map((a) => ({ caseId: a.case_id, messageId: a.message_id })),
      outboxWaiting: w!.n,
      quarantinedRows: q!.n,
      quarantinedWithReason: q!.reason,
    };
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Every valid request has its case, every case's acknowledgment reached the sink. */
export function requestsDone(db: DbState, valid: number): boolean {
  return db.withCase.size >= valid;
}
export function acksDone(c: Chaos, db: DbState): boolean {
  const withAck = new Set(db.acks.map((a) => a.caseId));
  return db.caseIds.every((id) => withAck.has(id)) && db.acks.every((a) => c.sink.delivered(a.messageId) > 0);
}

export interface Figures {
  valid: number;
  /** Valid requests stored with their case. */
  validDone: number;
  malformed: number;
  cases: number;
  duplicateCases: number;
  acksPerCase: { none: number; one: number; more: number };
  deliveredPerAck: { none: number; one: number; more: number };
  lost: number;
  lostMalformed: number;
  quarantined: { valid: number; malformed: number; withReason: number };
  waiting: { inFolder: number; outbox: number };
  filedTwice: number;
  processedMalformed: number;
}

/** The final count, after the scenario settled or gave up waiting. */
export async function countFigures(c: Chaos, st: Stage, valid: number, malformed: number): Promise<Figures> {
  const db = await readDb(st.url);
  if (!db) throw new Error(`the database of scenario ${st.id} cannot be read at the end: ${st.url}`);
  const [processed, quarantine, left] = await Promise.all([readFolder(c.imap, st.processed), readFolder(c.imap, st.quarantine), readFolder(c.imap, st.folder)]);
  const copies = new Map<number, number>();
  for (const m of [...processed, ...quarantine]) if (m.index !== null) copies.set(m.index, (copies.get(m.index) ?? 0) + 1);
  const inQuarantine = new Set(quarantine.flatMap((m) => (m.index === null ? [] : [m.index])));
  const stillThere = new Set(left.flatMap((m) => (m.index === null ? [] : [m.index])));
  let lost = 0;
  for (let i = 0; i < valid; i++) if (!db.withCase.has(i) && !inQuarantine.has(i) && !stillThere.has(i)) lost++;
  const bad = (l: Array<{ index: number | null }>) => l.filter((m) => m.index === null).length;
  const ackCount = new Map<number, number>();
  for (const a of db.acks) ackCount.set(a.caseId, (ackCount.get(a.caseId) ?? 0) + 1);
  const perCase = db.caseIds.map((id) => ackCount.get(id) ?? 0);
  const delivered = db.acks.map((a) => c.sink.delivered(a.messageId));
  return {
    valid,
    validDone: db.withCase.size,
    malformed,
    cases: db.cases,
    duplicateCases: [...db.casesPerRequest.values()].reduce((s, n) => s + Math.max(0, n - 1), 0),
    acksPerCase: tally(perCase),
    deliveredPerAck: tally(delivered),
    lost,
    lostMalformed: Math.max(0, malformed - bad(processed) - bad(quarantine) - bad(left)),
    quarantined: { valid: inQuarantine.size, malformed: bad(quarantine), withReason: db.quarantinedWithReason },
    waiting: { inFolder: left.length, outbox: db.outboxWaiting },
    filedTwice: [...copies.values()].filter((n) => n > 1).length,
    processedMalformed: bad(processed),
  };
}

const tally = (l: number[]) => ({ none: l.filter((n) => n === 0).length, one: l.filter((n) => n === 1).length, more: l.filter((n) => n > 1).length });
