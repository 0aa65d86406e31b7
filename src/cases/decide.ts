/**
 * Turns one inbound message into exactly one plan (pure): a new case, an entry on a case's thread, a polite
 * refusal, an ignored automatic message, or a quarantine. The worker loads the InboundContext, calls this,
 * and applies the plan in one transaction. Order matters:
 *  1. our own mail coming back (loop) is dropped before anything else can answer it;
 *  2. an unverified sender (Authentication-Results from our server) is quarantined, reply or not;
 *  3. automatic mail (auto-reply, bounce, list) is recorded on a case when it threads, never answered;
 *  4. staff mail is correspondence on a case;
 *  5. a customer's reply joins its case; a new request opens one only for an active DTC.
 */
import { normalizeAddress } from "../mail/address.js";
import { checkSenderAuthentication } from "../mail/auth-results.js";
import { isFeedbackReport } from "../mail/automatic/report.js";
import { classifyMessage, type MessageKind } from "../mail/classify.js";
import type { NormalizedMessage } from "../mail/message.js";
import { threadDecision } from "../mail/threading.js";
import { bodyText, planNewCase, policyFor, summariseAttachments } from "./new-case.js";
import { contractInactive, contractStateOf, ticketQuota } from "./intake/contract.js";
import { queryHoursIntake } from "../entitlements/query-hours.js";
import { emergencyOf } from "./intake/emergency.js";
import { lifecycleIntake, type LifecycleRequest } from "../lifecycle/intake.js";
import { authorizationOf, autoReplyAllowed, autoReplyWithheld, isOurMessageId } from "./sender.js";
import type { DecisionCommon, IgnorePlan, InboundContext, InboundDecision, InboundPlan, NewCasePlan, RefusePlan, ThreadPlan } from "./inbound-decision.js";

type Found = { kind: "join"; caseNumber: number; via: ThreadPlan["via"] } | { kind: "new"; reason?: string };

export function decideInbound(msg: NormalizedMessage, ctx: InboundContext, now: number): InboundDecision {
  const { config } = ctx;
  const classification = ctx.classification ?? classifyMessage(msg, { ourDomains: config.ourDomains, ourAddresses: config.ourAddresses });
  const auth = ctx.auth ?? checkSenderAuthentication(msg, { authservId: config.authservId, requireDkimOrSpf: config.requireDkimOrSpf });
  const sender = normalizeAddress(msg.from?.address);
  const common: DecisionCommon = {
    sender,
    classification,
    auth,
    authorization: authorizationOf(ctx, auth),
    organizationName: ctx.sender.contact?.organization.name ?? ctx.sender.domainOrganization?.name ?? null,
    decidedAt: now,
  };
  return { ...common, ...plan(msg, ctx, sender, classification.kind, classification.reason, auth.verdict === "unverified" ? auth.reason : null, now) };
}

function plan(msg: NormalizedMessage, ctx: InboundContext, sender: string, kind: MessageKind, why: string, unverified: string | null, now: number): InboundPlan {
  if (kind === "loop") return { outcome: "ignore", kind, reason: `our own mail: ${why}` };
  if (unverified !== null) return { outcome: "quarantine", reason: `unverified sender: ${unverified}` };
  const found = findCase(msg, ctx, sender);
  if (kind !== "normal") return automatic(msg, ctx, kind, why, found);
  if (ctx.sender.staff) {
    return found.kind === "join"
      ? threadPlan(msg, found, "staff", false)
      : { outcome: "ignore", reason: "staff mail without a case: it names no case message and no case token" };
  }
  if (found.kind === "join") return threadPlan(msg, found, "customer", reopens(ctx, found.caseNumber));
  return newRequest(msg, ctx, sender, found.reason, now);
}

/** Thread by headers or token; staff may use a token on any case (they are not its participants). */
function findCase(msg: NormalizedMessage, ctx: InboundContext, sender: string): Found {
  const { byMessageId, tokenCase } = ctx.thread;
  const decided = threadDecision({ msg, byMessageId, tokenCase, sender, caseTokenFormat: ctx.config.caseTokenFormat });
  if (decided.kind === "join") return decided;
  if (ctx.sender.staff && tokenCase) return { kind: "join", caseNumber: tokenCase.number, via: "token" };
  // A bounce rarely carries In-Reply-To; the message it reports is ours and names the case.
  const reported = msg.reportedMessageIds.find((id) => byMessageId.has(id));
  if (reported !== undefined) return { kind: "join", caseNumber: byMessageId.get(reported)!, via: "report" };
  return decided;
}

function automatic(msg: NormalizedMessage, ctx: InboundContext, kind: MessageKind, why: string, found: Found): ThreadPlan | IgnorePlan {
  const ours = msg.reportedMessageIds.filter((id) => ctx.thread.byMessageId.has(id) || isOurMessageId(id, ctx.config.ourDomains));
  const bounceOf = kind === "bounce" ? ours : [];
  // A complaint about our mail: its recipient asked their provider to stop it, so automatic mail stops.
  const complaintAbout = kind === "report" && isFeedbackReport(msg) ? ours : [];
  const marks = { ...(bounceOf.length > 0 ? { bounceOf } : {}), ...(complaintAbout.length > 0 ? { complaintAbout } : {}) };
  // List mail is never recorded: it is not addressed to the case, even when it quotes it.
  if (found.kind === "join" && kind !== "list") return { ...threadPlan(msg, found, "automatic", false), ...marks };
  return { outcome: "ignore", kind, reason: `${kind} (${why}): never acknowledged, never opens a case`, ...marks };
}

function threadPlan(msg: NormalizedMessage, found: Extract<Found, { kind: "join" }>, author: ThreadPlan["author"], reopen: boolean): ThreadPlan {
  return {
    outcome: "thread",
    caseNumber: found.caseNumber,
    via: found.via,
    author,
    reopen,
    text: bodyText(msg),
    attachments: summariseAttachments(msg),
  };
}

/** An active DTC of the case's organization answering while the case waits on the customer. */
function reopens(ctx: InboundContext, caseNumber: number): boolean {
  const c = ctx.thread.cases.get(caseNumber);
  const contact = ctx.sender.contact;
  return Boolean(c && c.status === "waiting" && contact?.dtc && contact.active && contact.organization.name === c.organization);
}

/** Only an active DTC, matched by exact address, opens a case; the domain only decides how we refuse. */
function newRequest(msg: NormalizedMessage, ctx: InboundContext, sender: string, threadNote: string | undefined, now: number): InboundPlan {
  const contact = ctx.sender.contact;
  const note = threadNote ? ` (${threadNote})` : "";
  if (contact?.dtc && contact.active) return entitledRequest(msg, ctx, contact, sender, now);
  if (contact?.dtc) return refuse(ctx, sender, "inactive-contact", `${sender} is no longer an active designated technical contact${note}`);
  const org = contact?.organization.name ?? ctx.sender.domainOrganization?.name;
  if (org !== undefined) return refuse(ctx, sender, "non-dtc", `${sender} is not a designated technical contact of ${org}${note}`);
  return refuse(ctx, sender, "unknown-sender", `${sender || "the sender"} is not a contact of any organization${note}`);
}

/** An active DTC's request under the organization's contract: refused outside its term, marked against its quota. */
function entitledRequest(msg: NormalizedMessage, ctx: InboundContext, contact: NonNullable<InboundContext["sender"]["contact"]>, sender: string, now: number): InboundPlan {
  const policy = policyFor(ctx, contact);
  const inactive = contractInactive(contact.organization, policy, now);
  const contract = contractStateOf(contact.organization, policy, now);
  if (inactive) return { ...refuse(ctx, sender, "contract-inactive", inactive.detail), contract: inactive, contractState: contract };
  const planned = planNewCase(msg, ctx, contact, autoReplyAllowed(ctx, sender));
  if (planned.outcome !== "new-case") return planned;
  const quota = ticketQuota(contact.organization, policy, planned.caseType, now);
  const emergency = emergencyOf(policy, planned.fields, msg.subject);
  // [003] "Queries are subject to maximum hourly Query Support Limits": opened and marked, or refused by contract.
  const hours = queryHoursIntake(planned.caseType, contact.organization.queryHours ?? []);
  if (hours.outcome === "refuse") return refuse(ctx, sender, "query-hours", hours.detail);
  const overLimit = hours.outcome === "over-limit" ? { overLimit: { detail: hours.detail } } : {};
  // [001] product lifecycle: after EOL no case; Extended Support narrows what opens (src/lifecycle/intake.ts).
  const lifecycle = policy.lifecycle ? lifecycleIntake(policy.lifecycle, policy.calendar.zone, lifecycleRequest(msg, planned), now) : null;
  if (lifecycle?.outcome === "refuse") {
    return { ...refuse(ctx, sender, lifecycle.refusal.kind, lifecycle.refusal.detail), policyId: policy.id, lifecycle: lifecycle.refusal, contractState: contract };
  }
  const asked = lifecycle?.mark.unknown && !planned.missingFields.includes(lifecycle.mark.unknown.field) ? [lifecycle.mark.unknown.field] : [];
  const withLifecycle = lifecycle ? { lifecycle: lifecycle.mark, missingFields: [...planned.missingFields, ...asked] } : {};
  return { ...planned, ...withLifecycle, contract, ...(quota ? { quota } : {}), ...(emergency ? { emergency } : {}), ...overLimit };
}

function lifecycleRequest(msg: NormalizedMessage, planned: NewCasePlan): LifecycleRequest {
  return { product: planned.fields.product, version: planned.fields.version, caseType: planned.caseType, severity: planned.severity.id, subject: msg.subject, text: planned.text };
}

function refuse(ctx: InboundContext, sender: string, reason: RefusePlan["reason"], detail: string): RefusePlan {
  const silent = reason === "unknown-sender" && ctx.config.unknownSenders === "silent";
  const withheld = silent ? null : autoReplyWithheld(ctx, sender);
  return { outcome: "refuse", reason, detail, reply: !silent && autoReplyAllowed(ctx, sender), ...(withheld ? { replyWithheld: withheld.reason } : {}) };
}
