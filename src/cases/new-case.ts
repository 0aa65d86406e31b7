/**
 * The plan for a new request from an active DTC (pure): the policy of the DTC's organization, the template's
 * fields, case type, severity (with eligibility) and what to ask for in the acknowledgment. An eligibility rule
 * that refuses this kind of case (Konneqt Basic: incidents in production only) turns it into a refusal.
 */
import { requirePolicy } from "../policy/catalogue.js";
import type { NormalizedMessage } from "../mail/message.js";
import { isForwardSubject, stripQuotedHistory } from "../mail/quoted.js";
import { chooseCaseType, chooseSeverity, missingFields } from "./intake/severity.js";
import { normaliseEnvironment, readTemplate } from "./intake/template.js";
import type { Policy } from "../policy/types.js";
import { autoReplyWithheld } from "./sender.js";
import type { AttachmentSummary, ContactInfo, DamagedAttachment, InboundContext, NewCasePlan, RefusePlan } from "./inbound-decision.js";

/** The text a case stores: what the sender wrote this time, quoted history removed (forwards kept). */
export function bodyText(msg: Pick<NormalizedMessage, "text" | "subject">): string {
  return stripQuotedHistory(msg.text, { isForward: isForwardSubject(msg.subject) });
}

export function summariseAttachments(msg: Pick<NormalizedMessage, "attachments">): AttachmentSummary[] {
  return msg.attachments.map(({ filename, size, contentType, sha256 }) => ({ filename, size, contentType, sha256 }));
}

/** The parts kept as damaged base64, named as the customer sent them: their file name, else their place and type. */
export function damagedAttachments(msg: Pick<NormalizedMessage, "attachments">): DamagedAttachment[] {
  return msg.attachments.flatMap(({ filename, damaged: d }) =>
    d ? [{ filename, sent: d.name ?? `part ${d.part} of your message (${d.declaredType})`, reason: d.reason }] : [],
  );
}

export function policyFor(ctx: Pick<InboundContext, "policies" | "mailbox">, contact: ContactInfo): Policy {
  const id = contact.organization.policyId ?? ctx.mailbox.defaultPolicy;
  return requirePolicy(ctx.policies, id, `organization "${contact.organization.name}"`);
}

export function planNewCase(msg: NormalizedMessage, ctx: InboundContext, contact: ContactInfo, acknowledge: boolean): NewCasePlan | RefusePlan {
  const policy = policyFor(ctx, contact);
  const text = bodyText(msg);
  const { fields } = readTemplate(text);
  // "Deployment: production, private cloud" names the environment too.
  const fromEnv = normaliseEnvironment(fields.environment);
  const fromDeployment = normaliseEnvironment(fields.deployment);
  const environment = fromEnv.environment ?? fromDeployment.environment;
  const deployment = fromDeployment.deployment ?? fromEnv.deployment;
  const caseType = chooseCaseType(policy, fields, msg.subject);
  const entitlements = contact.organization.entitlements;
  const severity = chooseSeverity(policy, { fields, subject: msg.subject, environment, caseType: caseType.id, entitlements });
  if (severity.refused) {
    const withheld = acknowledge ? null : autoReplyWithheld(ctx, contact.email);
    return { outcome: "refuse", reason: "ineligible", detail: severity.refused.reason, reply: acknowledge, policyId: policy.id, ...(withheld ? { replyWithheld: withheld.reason } : {}) };
  }
  const missing = missingFields(policy, { ...fields, ...(environment && !fields.environment ? { environment } : {}) }, {
    severityGiven: severity.source !== "default",
    hasAttachments: msg.attachments.length > 0,
    caseType: caseType.id,
  });
  if (severity.needsEnvironment && !missing.includes("environment")) missing.push("environment");
  const { id, source, reason, requested, needsEnvironment, changeReason } = severity;
  const damaged = damagedAttachments(msg);
  return {
    outcome: "new-case",
    organization: contact.organization,
    requester: { email: contact.email, name: contact.name || msg.from?.name || contact.email },
    policyId: policy.id,
    caseType: caseType.id,
    caseTypeReason: caseType.reason,
    severity: { id, source, reason, ...(requested ? { requested } : {}), ...(needsEnvironment ? { needsEnvironment } : {}), ...(changeReason ? { changeReason } : {}) },
    environment,
    deployment,
    fields,
    missingFields: missing,
    text,
    attachments: summariseAttachments(msg),
    droppedAttachments: msg.droppedAttachments.map(({ filename, size, reason: why }) => ({ filename, size, reason: why })),
    ...(damaged.length > 0 ? { damagedAttachments: damaged } : {}),
    acknowledge,
    ...acknowledgmentWithheld(ctx, contact.email, acknowledge),
  };
}

/** Why the acknowledgment does not go now: the cap holds it for later; anything else withholds it for good. */
function acknowledgmentWithheld(ctx: InboundContext, address: string, acknowledge: boolean): Pick<NewCasePlan, "acknowledgmentWithheld"> {
  const withheld = acknowledge ? null : autoReplyWithheld(ctx, address);
  return withheld ? { acknowledgmentWithheld: { reason: withheld.reason, later: withheld.capped } } : {};
}
