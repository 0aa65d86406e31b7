/**
 * A notice from the desk to a list of people, outside any thread (lifecycle milestones, entitlement notices):
 * from and Reply-To the support address, our standard headers, a Message-ID derived from the idempotency key
 * so a retried transaction or a second worker queues the same mail once. Pure.
 */
import type { Desk } from "../desk.js";
import { messageIdFor, standardHeaders, type OutgoingKind } from "./headers.js";
import type { NewOutgoing } from "./queue.js";

export interface DeskNotice {
  key: string;
  kind: OutgoingKind;
  caseId: number | null;
  to: string[];
  subject: string;
  body: { text: string; html?: string | null };
}

export function deskNotice(desk: Pick<Desk, "fromAddress" | "supportDomain">, n: DeskNotice): NewOutgoing {
  return {
    idempotencyKey: n.key,
    kind: n.kind,
    caseId: n.caseId,
    from: desk.fromAddress,
    to: n.to,
    replyTo: desk.fromAddress,
    // Bounded: product and organization names in it are free text.
    subject: n.subject.slice(0, 900),
    messageId: messageIdFor(n.key, desk.supportDomain),
    inReplyTo: null,
    references: [],
    headers: { ...standardHeaders(n.kind, desk.fromAddress) },
    text: n.body.text,
    html: n.body.html,
  };
}
