/**
 * The `ingest --dry-run --json` view of a decision (pure): the keys the README documents, in that order,
 * followed by the plan's own details. Every key is always present (null or [] when it does not apply), so a
 * script can rely on the shape.
 */
import type { NormalizedMessage } from "../mail/message.js";
import { readTemplate } from "./intake/template.js";
import type { InboundDecision } from "./inbound-decision.js";
import { bodyText } from "./new-case.js";

export interface DryRunJson {
  from: string | null;
  subject: string;
  classification: InboundDecision["classification"]["kind"];
  authorization: InboundDecision["authorization"];
  organization: string | null;
  thread: "new" | number;
  fields: Record<string, string>;
  severity: { id: string; source: "field" | "subject" | "default" | "downgrade"; reason: string } | null;
  caseType: string | null;
  missingFields: string[];
  attachments: Array<{ filename: string; size: number; contentType: string }>;
  text: string;
  outcome: InboundDecision["outcome"];
  /** Why: the refusal, ignore or quarantine reason, or how a case is joined/opened. */
  reason: string;
  details: Record<string, unknown>;
  /** A DTC's request: the organization's contract as of the decision ({ active, start, end, year }). */
  contract?: { active: boolean; start: string | null; end: string | null; year: number | null };
  /** A new case of an organization that counts tickets: the contract year's count and whether it is chargeable. */
  quota?: { year: number; used: number; allowance: number; chargeable: boolean };
  /** A DTC's request under a policy with a product lifecycle: the version's support period and EOL (null when unknown). */
  lifecycle?: { product: string | null; version: string | null; period: "mainstream" | "extended" | "after-eol" | "unknown"; eol: string | null; chargeable?: boolean };
}

export function toDryRunJson(decision: InboundDecision, msg: NormalizedMessage): DryRunJson {
  const isNew = decision.outcome === "new-case";
  const text = decision.outcome === "new-case" || decision.outcome === "thread" ? decision.text : bodyText(msg);
  return {
    from: msg.from?.address ?? null,
    subject: msg.subject,
    classification: decision.classification.kind,
    authorization: decision.authorization,
    organization: isNew ? decision.organization.name : decision.organizationName,
    thread: decision.outcome === "thread" ? decision.caseNumber : "new",
    // What the template reader found, even when no case is opened: it shows why a request would be read so.
    fields: (isNew ? decision.fields : readTemplate(text).fields) as Record<string, string>,
    severity: isNew ? { id: decision.severity.id, source: decision.severity.source, reason: decision.severity.reason } : null,
    caseType: isNew ? decision.caseType : null,
    missingFields: isNew ? decision.missingFields : [],
    attachments: msg.attachments.map(({ filename, size, contentType }) => ({ filename, size, contentType })),
    text,
    outcome: decision.outcome,
    reason: reasonOf(decision),
    details: detailsOf(decision),
    ...contractJson(decision),
    ...lifecycleJson(decision),
  };
}

function reasonOf(d: InboundDecision): string {
  switch (d.outcome) {
    case "new-case":
      return `${d.sender} is an active designated technical contact of ${d.organization.name}`;
    case "thread":
      return `joins case #${d.caseNumber} by ${d.via} as ${d.author} mail`;
    case "refuse":
      return `${d.reason}: ${d.detail}`;
    case "ignore":
    case "quarantine":
      return d.reason;
  }
}

function detailsOf(d: InboundDecision): Record<string, unknown> {
  const common = { classificationReason: d.classification.reason, auth: d.auth };
  switch (d.outcome) {
    case "new-case":
      return {
        ...common,
        policyId: d.policyId,
        environment: d.environment,
        deployment: d.deployment,
        caseTypeReason: d.caseTypeReason,
        ...(d.severity.requested ? { requestedSeverity: d.severity.requested } : {}),
        acknowledge: d.acknowledge,
        droppedAttachments: d.droppedAttachments,
      };
    case "thread":
      return { ...common, via: d.via, author: d.author, reopen: d.reopen, ...(d.bounceOf ? { bounceOf: d.bounceOf } : {}) };
    case "refuse":
      return { ...common, refusal: d.reason, reply: d.reply };
    case "ignore":
      return { ...common, ...(d.bounceOf ? { bounceOf: d.bounceOf } : {}) };
    case "quarantine":
      return common;
  }
}

function contractJson(d: InboundDecision): Pick<DryRunJson, "contract" | "quota"> {
  const state = d.outcome === "new-case" ? d.contract : d.outcome === "refuse" ? d.contractState : undefined;
  const quota = d.outcome === "new-case" ? d.quota : undefined;
  return {
    ...(state ? { contract: { active: state.active, start: state.start, end: state.end, year: state.year } } : {}),
    ...(quota ? { quota: { year: quota.year, used: quota.used, allowance: quota.allowance, chargeable: quota.chargeable } } : {}),
  };
}

function lifecycleJson(d: InboundDecision): Pick<DryRunJson, "lifecycle"> {
  if (d.outcome === "new-case" && d.lifecycle) {
    const { product, version, period, eol, chargeable } = d.lifecycle;
    return { lifecycle: { product, version, period, eol, ...(chargeable ? { chargeable } : {}) } };
  }
  if (d.outcome === "refuse" && d.lifecycle) {
    const { product, version, eol, kind } = d.lifecycle;
    return { lifecycle: { product, version, period: kind === "end-of-life" ? "after-eol" : "extended", eol } };
  }
  return {};
}
