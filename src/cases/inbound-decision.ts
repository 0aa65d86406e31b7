/**
 * The inbound decision's contract: what the worker loads before deciding (InboundContext) and the plan it
 * gets back (InboundDecision), both plain data. decideInbound (decide.ts) is the pure function between them.
 */
import type { AuthResult } from "../mail/auth-results.js";
import type { Classification, MessageKind } from "../mail/classify.js";
import type { SeverityChoice } from "./intake/severity.js";
import type { FieldName } from "./intake/template-labels.js";
import type { TokenCase } from "../mail/threading.js";
import type { Deployment } from "./intake/environment.js";
import type { CaseTypeId, EntitlementId, Environment, Policy } from "../policy/types.js";
import type { CaseStatus } from "../sla/types.js";
import type { OrganizationTerms } from "../entitlements/organization.js";
import type { QueryHoursUsage } from "../entitlements/query-hours.js";
import type { ContractState } from "../entitlements/term.js";
import type { LifecycleMark, LifecycleRefusal } from "../lifecycle/intake.js";

export interface OrganizationInfo {
  name: string;
  /** null: the mailbox's default policy applies. */
  policyId: string | null;
  entitlements: EntitlementId[];
  domains: string[];
  timeZone: string | null;
  /** Contract term, agreement, account contact and (when tickets count) cases; absent: no contract recorded. */
  terms?: OrganizationTerms;
  /** Query hours used in the current period, per limited case type (Konneqt); absent when none are limited. */
  queryHours?: QueryHoursUsage[];
}

/** Why a DTC's request opens no case: the contract is not running (src/cases/intake/contract.ts). */
export interface ContractRefusal {
  state: "not-started" | "ended";
  /** The end day ("ended on") or the start day ("starts on"), YYYY-MM-DD. */
  date: string;
  /** Whom to contact about the agreement, or null (the support address is given). */
  contact: string | null;
  detail: string;
}

/** The contract year's ticket count when a case is opened for an organization that counts tickets. */
export interface QuotaMark {
  year: number;
  used: number;
  allowance: number;
  /** The allowance is used up: the case is opened, but charged under the agreement. */
  chargeable: boolean;
  accountContact: string | null;
}

export interface ContactInfo {
  email: string;
  name: string;
  dtc: boolean;
  active: boolean;
  organization: OrganizationInfo;
}

export interface InboundConfig {
  autoReplyCapPerHour: number;
  unknownSenders: "reply" | "silent";
  caseTokenFormat: string;
  /** Domains of our own Message-IDs. */
  ourDomains: string[];
  /** Our support mailbox addresses. */
  ourAddresses: string[];
  authservId?: string;
  requireDkimOrSpf: boolean;
}

export interface InboundContext {
  mailbox: { name: string; address: string; defaultPolicy: string };
  policies: ReadonlyMap<string, Policy>;
  /** Look-ups by the sender's address (exact, lowercased). */
  sender: {
    contact: ContactInfo | null;
    staff: { email: string; name: string; role: string } | null;
    /** The organization whose domains include the sender's domain (to answer a non-DTC colleague). */
    domainOrganization: { name: string } | null;
    /** The sender complained about our mail through a feedback loop: no automatic mail goes to them. */
    complained?: boolean;
  };
  thread: {
    /** Message-ID → case number, for the keys threadLookupKeys(msg) returned. */
    byMessageId: ReadonlyMap<string, number>;
    /** The case the subject token names, or null. */
    tokenCase: TokenCase | null;
    /** Status and organization of every case above (to reopen a waiting case on a DTC's reply). */
    cases: ReadonlyMap<number, { status: CaseStatus; organization: string }>;
  };
  /** Automatic replies we sent to this sender in the last hour. */
  autoReplyCount: number;
  config: InboundConfig;
  /** Precomputed by the caller; computed by decideInbound when absent. */
  classification?: Classification;
  auth?: AuthResult;
}

export type Authorization = "dtc" | "staff" | "non-dtc" | "unknown" | "unverified";

export interface AttachmentSummary {
  filename: string;
  size: number;
  contentType: string;
  sha256: string;
}

/** A part that arrived with damaged base64: `filename` as stored, `sent` as the customer would know it. */
export interface DamagedAttachment {
  filename: string;
  sent: string;
  reason: string;
}

/** Present on every decision, for logs and the dry-run view. */
export interface DecisionCommon {
  sender: string;
  classification: Classification;
  auth: AuthResult;
  authorization: Authorization;
  /** The sender's organization, if known (contact's, else by domain). */
  organizationName: string | null;
  decidedAt: number;
}

export interface NewCasePlan {
  outcome: "new-case";
  organization: OrganizationInfo;
  requester: { email: string; name: string };
  policyId: string;
  caseType: CaseTypeId;
  caseTypeReason: string;
  severity: Pick<SeverityChoice, "id" | "source" | "reason" | "requested" | "needsEnvironment" | "changeReason">;
  environment: Environment | null;
  deployment: Deployment | null;
  fields: Partial<Record<FieldName, string>>;
  missingFields: string[];
  text: string;
  attachments: AttachmentSummary[];
  droppedAttachments: Array<{ filename: string; size: number; reason: string }>;
  /** Parts whose base64 could not be read, kept as their encoded text (src/mail/damaged-base64.ts); absent when none. */
  damagedAttachments?: DamagedAttachment[];
  /** false only when the per-sender cap of automatic replies is reached. */
  acknowledge: boolean;
  /**
   * Why no acknowledgment goes out now, when acknowledge is false. `later`: held by the per-sender cap and
   * sent, combined with the sender's other held ones, once the hour's window allows; else never (a complaint).
   */
  acknowledgmentWithheld?: { reason: string; later: boolean };
  /** The organization's contract as of the decision (always active here: an inactive one refuses). */
  contract?: ContractState;
  /** Set when the organization counts tickets (Infotecs): the year's count, and whether this case is chargeable. */
  quota?: QuotaMark;
  /** Opened although the organization's query hours are used up ([003] Query Support Limit). */
  overLimit?: { detail: string };
  /** Set when the policy flags emergencies (Infotecs Premium) and the request asks for one: the policy's reason. */
  emergency?: string;
  /** Set when the policy has a product lifecycle (Infotecs): the version's support period, EOL, and what is chargeable or unknown. */
  lifecycle?: LifecycleMark;
}

export interface ThreadPlan {
  outcome: "thread";
  caseNumber: number;
  via: "in-reply-to" | "references" | "token" | "report";
  author: "customer" | "staff" | "automatic";
  /** A DTC's reply on a waiting case sets it back to open. */
  reopen: boolean;
  text: string;
  attachments: AttachmentSummary[];
  /** For a bounce: our outgoing Message-IDs it reports, so the worker marks those outbox rows bounced. */
  bounceOf?: string[];
  /** For a complaint (feedback report): our outgoing Message-IDs it reports; their recipients get no more automatic mail. */
  complaintAbout?: string[];
}

export type RefuseReason = "non-dtc" | "unknown-sender" | "inactive-contact" | "ineligible" | "contract-inactive" | "query-hours" | "end-of-life" | "extended-support";

export interface RefusePlan {
  outcome: "refuse";
  reason: RefuseReason;
  /** What the reply says, for "ineligible" the policy's rule ("incidents in production only"). */
  detail: string;
  /** false when silent by config, the per-sender cap is reached, or there is no address to answer. */
  reply: boolean;
  /** Set for "ineligible": the request as it would have been opened. */
  policyId?: string;
  /** Why no reply goes out when one was due (the per-sender cap, a complaint): logged at warn, recorded. */
  replyWithheld?: string;
  /** Set for "contract-inactive": the date the agreement ended or starts, and whom to contact. */
  contract?: ContractRefusal;
  /** Set for "contract-inactive": the contract as of the decision. */
  contractState?: ContractState;
  /** Set for "end-of-life" and "extended-support": the version, its EOL and the versions still supported. */
  lifecycle?: LifecycleRefusal;
}

export interface IgnorePlan {
  outcome: "ignore";
  reason: string;
  kind?: MessageKind;
  bounceOf?: string[];
  complaintAbout?: string[];
}

export interface QuarantinePlan {
  outcome: "quarantine";
  reason: string;
}

export type InboundPlan = NewCasePlan | ThreadPlan | RefusePlan | IgnorePlan | QuarantinePlan;

export type InboundDecision = DecisionCommon & InboundPlan;
