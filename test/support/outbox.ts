/** Outgoing mail for outbox tests: acknowledgment n, with a Message-ID and idempotency key of its own. */
import type { NewOutgoing } from "../../src/outbox/queue.js";

export function queuedAck(n: number, subject = "request"): NewOutgoing {
  return {
    idempotencyKey: `ack:${n}`,
    kind: "acknowledgment",
    caseId: null,
    from: "support@vendor.example",
    to: [`dtc${n}@customer.example`],
    subject: `Re: [Case #${n}] ${subject}`,
    messageId: `ack${n}@support.vendor.example`,
    headers: { "Auto-Submitted": "auto-replied" },
    text: `acknowledgment ${n}`,
  };
}
