/**
 * A case page's data: the case with its organization, requester and assignee, its thread and the mail sent
 * on it, attachments (without their bytes), events, and its SLA evaluated now with the spells it waited on
 * the customer (for the timeline).
 */
import { timelineFromEvents } from "../../cases/timeline.js";
import type { Desk } from "../../desk.js";
import { readHistory } from "../../sla/history.js";
import type { Db } from "../../store/database.js";
import { caseAttachmentList } from "../../store/repos/board.js";
import { requireCaseByNumber } from "../../store/repos/cases.js";
import { listContactsById } from "../../store/repos/case-sla.js";
import { listEvents } from "../../store/repos/events.js";
import { listMessagesForCase } from "../../store/repos/messages.js";
import { getOrganization } from "../../store/repos/organizations.js";
import { listOutbox } from "../../store/repos/outbox.js";
import { getStaff } from "../../store/repos/staff.js";
import { loadCaseSla } from "./load-sla.js";
import { TIMELINE_EVENT_KINDS } from "../../cases/timeline.js";

export async function loadCasePage(db: Db, desk: Pick<Desk, "policies">, number: number, now: number) {
  const c = await requireCaseByNumber(db, number);
  const [org, requester, assignee, events, messages, attachments, sent, sla] = await Promise.all([
    getOrganization(db, c.organizationId),
    listContactsById(db, [c.requesterId]).then((r) => r[0] ?? null),
    c.assigneeId === null ? null : getStaff(db, c.assigneeId),
    listEvents(db, c.id),
    listMessagesForCase(db, c.id),
    caseAttachmentList(db, c.id),
    listOutbox(db, { caseId: c.id }),
    loadCaseSla(db, desk.policies, [c], now),
  ]);
  const trail = events.filter((e) => (TIMELINE_EVENT_KINDS as readonly string[]).includes(e.kind)).map((e) => ({ kind: e.kind, at: e.at.getTime(), data: e.data }));
  let waiting: Array<{ from: number; to: number | null }> = [];
  try {
    waiting = readHistory(timelineFromEvents(trail), now).waiting;
  } catch {
    waiting = []; // the SLA section already says why this trail cannot be evaluated
  }
  const policy = desk.policies.get(c.policyId) ?? null;
  return { c, org: org ?? null, requester, assignee: assignee ?? null, events, messages, attachments, sent, sla: sla.get(c.id)!, waiting, policy };
}

export type CasePageData = Awaited<ReturnType<typeof loadCasePage>>;
