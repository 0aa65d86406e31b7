/** The polite reply to a sender who may not open a case (pure). */
import type { Desk } from "../desk.js";
import type { NormalizedMessage } from "../mail/message.js";
import { messageIdFor, standardHeaders, threadRefs } from "../outbox/headers.js";
import type { NewOutgoing } from "../outbox/queue.js";
import type { DecisionCommon, RefusePlan } from "./inbound-decision.js";
import { messageIdentity } from "./records.js";
import { EXTENDED_SUPPORT_QUOTE } from "../lifecycle/intake.js";

/** null when there is no address to answer. */
/** `mailboxPolicyId`: the policy of the mailbox the mail came to, whose name signs the reply when the request has none. */
export function refusalMessage(desk: Desk, msg: NormalizedMessage, plan: DecisionCommon & RefusePlan, mailboxPolicyId?: string): NewOutgoing | null {
  const to = msg.from?.address;
  if (!to) return null;
  const key = `refusal:${messageIdentity(msg)}`;
  const body = desk.templates.render("refusal", {
    senderName: msg.from?.name || null,
    senderAddress: to,
    subject: msg.subject,
    organizationName: plan.reason === "unknown-sender" ? null : plan.organizationName,
    ineligible: plan.reason === "ineligible" ? plan.detail : plan.reason === "query-hours" ? plan.detail.replace(/^t/, "T") : null,
    supportAddress: desk.fromAddress,
    contract: plan.contract ? { ended: plan.contract.state === "ended", date: plan.contract.date, contact: plan.contract.contact ?? desk.fromAddress } : null,
    deskName: deskName(desk, plan.policyId ?? mailboxPolicyId),
    lifecycle: plan.lifecycle ? { ...plan.lifecycle, endOfLife: plan.lifecycle.kind === "end-of-life", quote: EXTENDED_SUPPORT_QUOTE } : null,
  });
  return {
    idempotencyKey: key,
    kind: "refusal",
    caseId: null,
    from: desk.fromAddress,
    to: [to],
    replyTo: desk.fromAddress,
    subject: `Re: ${msg.subject || "your message"}`.slice(0, 900),
    messageId: messageIdFor(key, desk.supportDomain),
    ...threadRefs({ messageId: msg.messageId, references: msg.references }),
    headers: { ...standardHeaders("refusal", desk.fromAddress) },
    text: body.text,
    html: body.html,
  };
}

/** Who signs a refusal: the policy the request came under (else the mailbox's), else the one policy the desk runs. */
function deskName(desk: Desk, policyId: string | undefined): string {
  const policy = policyId ? desk.policies.get(policyId) : undefined;
  if (policy) return policy.name;
  const names = [...new Set([...desk.policies.values()].map((p) => p.name))];
  return names.length === 1 ? names[0]! : "Support team";
}
