/**
 * Personal-data retention, the shell: finds the organizations whose data is due (personal-data-plan.ts), and
 * erases each in bounded transactions so a crash loses at most one batch and a re-run finishes the rest:
 *   1. start: the erasure record and the person → pseudonym map (one transaction);
 *   2. each kind of row (cases, messages, attachments, events, outbox, refusals, held acknowledgments) in batches
 *      by id, each batch with its counts added to the record;
 *   3. complete: suppressed addresses and failure notes, the directory entries and contract record (portal
 *      data), a `personal-data-erased` event on each case (kinds and counts, never values), and the map deleted.
 * Every step rewrites only values that still hold a person's name or address, so running it again changes nothing.
 */
import { organizationZone } from "../entitlements/organization.js";
import type { Policy } from "../policy/types.js";
import type { Db } from "../store/database.js";
import { appendEvents } from "../store/repos/events.js";
import {
  completeErasure,
  countLiveContacts,
  ERASURE_KINDS,
  erasableBatch,
  erasePortalData,
  eraseStrays,
  findPeople,
  listRetentionOrgs,
  loadErasurePeople,
  lockErasure,
  ourPeople,
  saveErasureCounts,
  startErasure,
  updateErased,
  type ErasableRow,
  type ErasureCounts,
  type ErasureKind,
} from "../store/repos/personal-data.js";
import { assignPseudonyms, customerAddresses, nameFromAddress, eraserFor, retentionSchedule, type Eraser, type Pseudonymised, type RetentionScheduleEntry } from "./personal-data-plan.js";

export const ERASURE_BATCH = 200;

export interface ErasureOptions {
  dryRun?: boolean;
  batchSize?: number;
  /** Checked between batches: an aborted run stops there, and the next run resumes. */
  signal?: AbortSignal;
  /** Called after each committed batch (tests abort here to stand in for a crash). */
  onBatch?: (org: number, kind: ErasureKind) => void;
}

export interface OrganizationErasure {
  organizationId: number;
  name: string;
  contractEnd: string;
  dueAt: number;
  people: number;
  /** Rows changed (or, in a dry run, that would change) per kind. */
  kinds: Record<string, number>;
}

/** Each organization's retention state as of `now` (for `retention status`). */
export async function retentionStatus(db: Db, policies: ReadonlyMap<string, Policy>, now: number): Promise<RetentionScheduleEntry[]> {
  const rows = await listRetentionOrgs(db);
  return retentionSchedule(
    rows.map((r) => {
      const policy = policies.get(r.policyId);
      return {
        id: r.id,
        name: r.name,
        contractStart: r.contractStart,
        contractEnd: r.contractEnd,
        zone: policy ? organizationZone(policy, { timeZone: r.timeZone, agreement: r.agreement }) : "UTC",
        piiDays: policy?.retention?.piiDaysAfterContractEnd,
        portalDays: policy?.retention?.portalDataDaysAfterContractEnd,
        erasedAt: r.completedAt?.getTime() ?? null,
        erasureStarted: r.startedAt !== null,
      };
    }),
    now,
  );
}

/** Erases (or, dry, counts) the personal and portal data of every organization that is due. */
export async function erasePersonalData(db: Db, policies: ReadonlyMap<string, Policy>, now: number, opts: ErasureOptions = {}): Promise<OrganizationErasure[]> {
  const due = (await retentionStatus(db, policies, now)).filter((e) => e.state === "due");
  const done: OrganizationErasure[] = [];
  for (const entry of due) {
    opts.signal?.throwIfAborted();
    done.push(await eraseOrganization(db, entry, now, opts));
  }
  return done;
}

async function eraseOrganization(db: Db, entry: RetentionScheduleEntry, now: number, opts: ErasureOptions): Promise<OrganizationErasure> {
  const orgId = entry.organizationId;
  const ours = await ourPeople(db);
  let people: Pseudonymised[] = await loadErasurePeople(db, orgId);
  if (people.length === 0) people = await peopleOf(db, orgId, ours.addresses);
  if (!opts.dryRun) {
    await db.transaction(async (tx) => {
      await startErasure(tx, { organizationId: orgId, contractEnd: entry.contractEnd!, retentionDays: entry.days!, startedAt: new Date(now), people });
    });
    people = await loadErasurePeople(db, orgId);
  }
  const eraser = eraserFor(people, ours.names.flatMap((n) => n.split(/\s+/)));
  const addresses = people.map((p) => p.address).filter((a): a is string => a !== null);
  const counts: ErasureCounts = { people: people.length, kinds: {}, byCase: {} };
  for (const kind of ERASURE_KINDS) {
    for (let after = 0; ; ) {
      opts.signal?.throwIfAborted();
      const rows = await erasableBatch(db, kind, orgId, addresses, after, opts.batchSize ?? ERASURE_BATCH);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      const patches = rows.map((r) => ({ row: r, patch: erasedPatch(kind, r, eraser) })).filter((p) => p.patch !== null);
      add(counts, kind, patches.map((p) => p.row.caseId));
      if (opts.dryRun || patches.length === 0) continue;
      await db.transaction(async (tx) => {
        const record = await lockErasure(tx, orgId);
        for (const p of patches) await updateErased(tx, kind, p.row.id, p.patch!);
        if (record) await saveErasureCounts(tx, orgId, add(record.counts, kind, patches.map((p) => p.row.caseId)));
      });
      opts.onBatch?.(orgId, kind);
    }
  }
  if (opts.dryRun) return summary(entry, people.length, { ...counts.kinds, contacts: await countLiveContacts(db, orgId) });
  const kinds = await db.transaction(async (tx) => {
    const record = (await lockErasure(tx, orgId))!;
    const strays = await eraseStrays(tx, addresses, eraser.text);
    const portal = await erasePortalData(tx, orgId, new Map(people.filter((p) => p.address).map((p) => [p.address!, { address: p.pseudonymAddress, name: p.pseudonymName }])));
    const total = { ...record.counts.kinds, "suppressed-addresses": strays.suppressed, "failure-notes": strays.failures, contacts: portal.contacts };
    await appendEvents(
      tx,
      Object.entries(record.counts.byCase).map(([caseId, kinds]) => ({
        caseId: Number(caseId),
        at: new Date(now),
        actor: "system",
        kind: "personal-data-erased",
        data: { kinds, people: people.length, contractEnd: entry.contractEnd, days: entry.days },
      })),
    );
    await saveErasureCounts(tx, orgId, { ...record.counts, kinds: total });
    await completeErasure(tx, orgId, new Date(now));
    return total;
  });
  return summary(entry, people.length, kinds);
}

function summary(entry: RetentionScheduleEntry, people: number, kinds: Record<string, number>): OrganizationErasure {
  return { organizationId: entry.organizationId, name: entry.name, contractEnd: entry.contractEnd!, dueAt: entry.dueAt!, people, kinds };
}

/** Who the organization's people are: its contacts (by id), then any other customer address on its cases' mail. */
async function peopleOf(db: Db, orgId: number, ourAddresses: string[]): Promise<Pseudonymised[]> {
  const found = await findPeople(db, orgId);
  const contactAddresses = new Set(found.contacts.map((c) => c.email));
  const others = customerAddresses(found.addresses, { addresses: ourAddresses }).filter((a) => !contactAddresses.has(a));
  return assignPseudonyms(orgId, [...found.contacts.map((c) => ({ address: c.email, name: c.name })), ...others.map((a) => ({ address: a, name: nameFromAddress(a) }))]);
}

/** What one row's values become; null when it holds nothing of the people. */
function erasedPatch(kind: ErasureKind, row: ErasableRow, eraser: Eraser): Record<string, unknown> | null {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(row)) {
    if (field === "id" || field === "caseId" || field === "state" || value === null) continue;
    if (field === "hasContent" || field === "hasRaw") {
      // Stored bytes (an attachment, a refused message as it came) cannot be rewritten safely: they go.
      if (value === true) patch[field] = false;
      continue;
    }
    const erased = typeof value === "string" ? eraser.text(value) : eraser.json(value);
    if (JSON.stringify(erased) !== JSON.stringify(value)) patch[field] = erased;
  }
  if (kind === "outbox" && Object.keys(patch).length > 0) {
    // Inline attachment bytes may name anyone; a row still waiting would now go to a pseudonym: it fails, visibly.
    patch.attachments = (row.attachments as Array<Record<string, unknown>>).map(({ contentBase64: _dropped, ...rest }) => eraser.json(rest));
    if (row.state === "queued" || row.state === "sending") Object.assign(patch, { state: "failed", lastError: "not sent: the recipient's personal data was erased (retention)" });
  }
  return Object.keys(patch).length > 0 ? patch : null;
}

function add(counts: ErasureCounts, kind: string, caseIds: Array<number | null>): ErasureCounts {
  if (caseIds.length === 0) return counts;
  counts.kinds[kind] = (counts.kinds[kind] ?? 0) + caseIds.length;
  for (const id of caseIds) {
    if (id === null) continue;
    const c = (counts.byCase[String(id)] ??= {});
    c[kind] = (c[kind] ?? 0) + 1;
  }
  return counts;
}
