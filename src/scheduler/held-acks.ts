/**
 * The acknowledgments the per-sender cap held back (a verified DTC opening more cases in an hour than
 * autoReplyCapPerHour allows), sent when the window allows: a scheduler job, so nothing waits in memory.
 * Each tick, for every address with held acknowledgments whose automatic replies of the last hour are
 * below the cap, one combined message lists every held case with its first-response due time; each of
 * those cases records "acknowledged" then (its trail holds only what was queued) and its SLA is evaluated
 * again. The combined message counts against the cap like any acknowledgment, so a loop stays bounded.
 */
import type { Clock } from "../clock/clock.js";
import { formatDue, readerZone } from "../cases/present.js";
import { policyOf } from "../cases/case-sla.js";
import type { Desk } from "../desk.js";
import type { WorkLogger } from "../log/work-logger.js";
import { caseToken, headerSafe, messageIdFor, standardHeaders } from "../outbox/headers.js";
import { enqueue, type NewOutgoing } from "../outbox/queue.js";
import type { Db } from "../store/database.js";
import { lockPendingAcknowledgments, markAcknowledgmentsCombined } from "../store/repos/deferred-acks.js";
import { appendEvents } from "../store/repos/events.js";
import { autoRepliesTo } from "../store/repos/inbound.js";
import { retryTransient } from "../store/retry.js";
import { refreshCaseSla } from "./case-sla.js";

type Held = Awaited<ReturnType<typeof lockPendingAcknowledgments>>[number];

export async function heldAcknowledgmentsTick(opts: { db: Db; desk: Desk; clock: Clock; logger: Pick<WorkLogger, "info">; capPerHour: number; signal?: AbortSignal }): Promise<{ queued: number }> {
  const { db, desk, clock, capPerHour } = opts;
  const now = clock.now();
  return retryTransient(() => db.transaction(async (tx) => {
    const held = await lockPendingAcknowledgments(tx, 1000);
    const byAddress = new Map<string, Held[]>();
    for (const h of held) byAddress.set(h.held.address, [...(byAddress.get(h.held.address) ?? []), h]);
    const counts = await autoRepliesTo(tx, [...byAddress.keys()], now);
    let queued = 0;
    for (const [address, rows] of byAddress) {
      if ((counts.get(address) ?? 0) >= capPerHour) continue; // the window does not allow it yet
      await sendCombined(tx, desk, address, rows, now);
      opts.logger.info({ to: address, cases: rows.map((r) => r.c.number) }, "held acknowledgments sent combined");
      queued++;
    }
    return { queued };
  }), { signal: opts.signal });
}

async function sendCombined(tx: Db, desk: Desk, address: string, rows: Held[], now: number): Promise<void> {
  const at = new Date(now);
  const key = `acknowledgment-combined:${address}:cases:${rows.map((r) => r.c.number).join(",")}`;
  await appendEvents(tx, rows.map((r) => ({ caseId: r.c.id, at, actor: "system", kind: "acknowledged", data: { automatic: true, combined: key } })));
  const listed = [];
  for (const r of rows) {
    const evaluation = await refreshCaseSla(tx, desk, r.c.id, now);
    const first = evaluation.metrics.find((m) => m.metric === "initial-response" && m.cycle === 0);
    const zone = readerZone(r.requesterZone, policyOf(desk.policies, r.c).calendar.zone);
    listed.push({ token: caseToken(desk.caseTokenFormat, r.c.number), subject: r.c.subject, due: first ? formatDue(first.dueAt, zone) : null, opened: formatDue(r.c.openedAt.getTime(), zone) });
  }
  await enqueue(tx, combinedMessage(desk, key, address, rows, listed), now);
  await markAcknowledgmentsCombined(tx, rows.map((r) => r.c.id), key, at);
}

function combinedMessage(desk: Desk, key: string, address: string, rows: Held[], cases: Array<{ token: string; subject: string; due: string | null; opened: string }>): NewOutgoing {
  const first = `#${rows[0]!.c.number}`;
  const last = `#${rows[rows.length - 1]!.c.number}`;
  const body = desk.templates.render("acknowledgment-combined", {
    requesterName: rows[0]!.requesterName,
    single: rows.length === 1,
    first,
    last,
    cases,
    supportAddress: desk.fromAddress,
  });
  return {
    idempotencyKey: key,
    kind: "acknowledgment-combined",
    // On the first case, so threading and the case view find it; the text names them all.
    caseId: rows[0]!.c.id,
    from: desk.fromAddress,
    to: [address],
    replyTo: desk.fromAddress,
    subject: headerSafe(rows.length === 1 ? `Your case ${first} is open` : `Your cases ${first} to ${last} are open`),
    messageId: messageIdFor(key, desk.supportDomain),
    headers: { ...standardHeaders("acknowledgment-combined", desk.fromAddress) },
    text: body.text,
    html: body.html,
  };
}
