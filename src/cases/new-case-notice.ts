/**
 * The mail that tells the engineers a case has opened, worked out in memory (pure). Who gets it: the
 * organization's own engineer (`org set --engineer`), else the desk's `notifications.newCase` addresses,
 * else every active engineer. It threads like every other case mail (the case token in the subject,
 * In-Reply-To the customer's request, Reply-To the desk), so answering it with `#assign me` or any other
 * command works from the engineer's mailbox. Its idempotency key is the case number: never queued twice.
 */
import type { Desk } from "../desk.js";
import { caseSubject, caseToken, messageIdFor, standardHeaders, threadRefs } from "../outbox/headers.js";
import type { NewOutgoing } from "../outbox/queue.js";
import type { Policy } from "../policy/types.js";
import type { MetricStatus } from "../sla/types.js";
import type { NormalizedMessage } from "../mail/message.js";
import type { NewCasePlan } from "./inbound-decision.js";
import { formatBytes, formatDue } from "./present.js";

/** Which rule chose the recipients, as the case history records it. */
export type NewCaseRule = "organization-engineer" | "notifications.newCase" | "all-engineers";

export interface NoticeStaff {
  id: number;
  email: string;
  role: string;
  active: boolean;
}

export interface NewCaseRecipients {
  rule: NewCaseRule;
  to: string[];
}

/** The rule of issue 12: the organization's active engineer, else the configured addresses, else every active engineer. */
export function newCaseRecipients(orgEngineerId: number | null, configured: readonly string[], staff: readonly NoticeStaff[]): NewCaseRecipients {
  const own = orgEngineerId === null ? undefined : staff.find((s) => s.id === orgEngineerId && s.active);
  if (own) return { rule: "organization-engineer", to: [own.email] };
  if (configured.length > 0) return { rule: "notifications.newCase", to: [...new Set(configured)] };
  const all = staff.filter((s) => s.active && s.role === "engineer").map((s) => s.email);
  return { rule: "all-engineers", to: [...new Set(all)].sort() };
}

export interface NoticeInput {
  desk: Desk;
  policy: Policy;
  plan: NewCasePlan;
  msg: NormalizedMessage;
  organization: string;
  caseRow: { id: number; number: number; subject: string };
  initialResponse: MetricStatus | null;
  recipients: NewCaseRecipients;
}

export const newCaseNoticeKey = (caseNumber: number) => `case:${caseNumber}:new-case`;

/** The new-case mail to the engineers, ready for the outbox. Pure. */
export function newCaseNotice(n: NoticeInput): NewOutgoing {
  const { desk, policy, plan, msg, caseRow } = n;
  const severity = policy.severities.find((s) => s.id === plan.severity.id)?.name ?? plan.severity.id;
  const body = desk.templates.render("new-case", {
    caseNumber: caseRow.number,
    caseToken: caseToken(desk.caseTokenFormat, caseRow.number),
    subject: caseRow.subject,
    organization: n.organization,
    policy: { id: policy.id, name: policy.name },
    caseType: plan.caseType,
    severity: { name: severity, downgraded: plan.severity.source === "downgrade", reason: plan.severity.reason },
    requester: `${plan.requester.name} <${plan.requester.email}>`,
    // The desk's zone: engineers compare due times across customers in one zone.
    firstResponse: n.initialResponse ? { due: formatDue(n.initialResponse.dueAt, desk.timeZone), target: n.initialResponse.targetText } : null,
    missingFields: plan.missingFields,
    attachments: plan.attachments.map((a) => ({ filename: a.filename, size: formatBytes(a.size), contentType: a.contentType })),
    droppedAttachments: plan.droppedAttachments.map((d) => ({ filename: d.filename, size: formatBytes(d.size) })),
    text: plan.text,
    supportAddress: desk.fromAddress,
  });
  const key = newCaseNoticeKey(caseRow.number);
  const label = `New case from ${n.organization}, ${policy.id} severity ${plan.severity.id}: ${msg.subject || "(no subject)"}`;
  return {
    idempotencyKey: key,
    kind: "new-case",
    caseId: caseRow.id,
    from: desk.fromAddress,
    to: n.recipients.to,
    // Answers go back to the desk, so a reply with commands lands on the case.
    replyTo: desk.fromAddress,
    subject: caseSubject(desk.caseTokenFormat, caseRow.number, label).replace(/^Re: /, ""),
    messageId: messageIdFor(key, desk.supportDomain),
    ...threadRefs({ messageId: msg.messageId, references: msg.references }),
    headers: { ...standardHeaders("new-case", desk.fromAddress) },
    text: body.text,
    html: body.html,
  };
}
