/**
 * Staff commands applied to a case, the one way: by a staff member's `#` lines by mail (staff.ts) and by the CLI
 * (`case assign`, `case status`). In the caller's transaction: the plan's events, then whatever the caller records
 * in between (the mail's reply or internal note), then the status change, the case row, the resolution notice to
 * the customer, the SLA evaluated again, and the query-hours and ticket-quota notices the change may cause.
 */
import type { CaseCommand } from "../cases/commands.js";
import { policyOf } from "../cases/case-sla.js";
import { contactReachable, planCommands, type CommandPlan, type PlannedEvent } from "../cases/staff-command-plan.js";
import type { Desk } from "../desk.js";
import type { OutgoingKind } from "../outbox/headers.js";
import { loadTrails, refreshCaseSla } from "../scheduler/case-sla.js";
import type { Db } from "../store/database.js";
import { updateCase, type Case } from "../store/repos/cases.js";
import { lastCustomerMessage } from "../store/repos/correspondence.js";
import { appendEvent } from "../store/repos/events.js";
import { loadParties } from "./load.js";
import { queueCaseMail } from "./mail.js";
import { queueQueryHourNotices } from "./query-hours.js";
import { queueNearQuotaNotice } from "./quota-notice.js";

export interface CaseChange {
  desk: Desk;
  caseRow: Case;
  /** Who made the change: the staff member's address ("cli" when the CLI is run without one). */
  actor: string;
  commands: CaseCommand[];
  /** The staff member's message row when the change came by mail: its mail is keyed by it, its time entries name it. */
  messageRowId: number | null;
  now: number;
  /** When it happened, for the trail: a mail's receipt (a reply read late still counts when it came); now otherwise. */
  at?: number;
}

export interface CaseChangeResult {
  plan: CommandPlan;
  caseRow: Case;
  /** The events recorded, in order (the caller's own included). */
  recorded: Array<{ id: number; kind: string }>;
  queued: OutgoingKind[];
}

/**
 * `between` records what the caller adds after the command events and before the status change: a reply
 * that resolves the case still counts as a response because it comes first.
 */
export async function applyCaseChange(
  tx: Db,
  change: CaseChange,
  between: (record: (e: PlannedEvent) => Promise<void>) => Promise<OutgoingKind[]> = async () => [],
): Promise<CaseChangeResult> {
  const { desk, caseRow, actor, commands, messageRowId, now } = change;
  const recorded: CaseChangeResult["recorded"] = [];
  const record = async (e: PlannedEvent) => {
    const row = await appendEvent(tx, { caseId: caseRow.id, at: new Date(change.at ?? now), actor, kind: e.kind, data: e.data });
    recorded.push({ id: row.id, kind: row.kind });
  };
  const reachable = commands.some((c) => c.kind === "contact") ? contactReachable((await loadTrails(tx, [caseRow.id])).get(caseRow.id) ?? []) : true;
  const plan = planCommands({ ...caseRow, contactReachable: reachable }, commands, actor);
  for (const e of plan.events) await record(e.kind === "time-recorded" && messageRowId !== null ? { ...e, data: { ...e.data, messageRowId } } : e);
  const queued = await between(record);
  if (plan.status) await record({ kind: "status-changed", data: { status: plan.status.to, from: plan.status.from } });
  const updated = await updateCase(tx, caseRow.id, { ...plan.patch, updatedAt: new Date(now) });
  // The customer hears that the case is resolved even when the resolving message itself is internal.
  const statusEventId = recorded.findLast((e) => e.kind === "status-changed")?.id;
  if (plan.status?.to === "resolved" && (await resolutionNotice(tx, desk, updated, messageRowId, statusEventId!, now))) queued.push("resolution-notice");
  await refreshCaseSla(tx, desk, caseRow.id, now);
  if (plan.events.some((e) => e.kind === "time-recorded")) queued.push(...(await queueQueryHourNotices(tx, desk, updated, now)));
  // A resolution (or a resolved case reclassified) can bring the contract year's tickets to 80%.
  if (plan.status?.to === "resolved" || plan.status?.to === "closed" || plan.events.some((e) => e.kind === "type-changed")) {
    queued.push(...(await queueNearQuotaNotice(tx, desk, updated, now)));
  }
  return { plan, caseRow: updated, recorded, queued };
}

/** Keyed by the staff member's message when there is one, else by the status-changed event (the CLI). */
async function resolutionNotice(tx: Db, desk: Desk, caseRow: Case, messageRowId: number | null, statusEventId: number, now: number): Promise<boolean> {
  const [parties, parent] = await Promise.all([loadParties(tx, caseRow), lastCustomerMessage(tx, caseRow.id, messageRowId)]);
  const mail = {
    kind: "resolution-notice" as const,
    messageRowId,
    eventId: statusEventId,
    to: [parties.requester.email],
    parent,
    data: { requesterName: parties.requester.name, policyName: policyOf(desk.policies, caseRow).name },
  };
  return queueCaseMail(tx, desk, caseRow, mail, now);
}
