/**
 * A loaded, validated support policy: the contract between the policy loader (src/policy/load.ts),
 * the SLA engine (src/sla), severity selection (src/mail, src/cases) and the outgoing templates.
 * Policies are declared in policies/*.yaml; every number there cites the seed sentence it comes from.
 */
import type { BusinessDuration, CalendarSpec } from "../calendar/types.js";
import type { LifecycleRules } from "../lifecycle/rules.js";

export type MetricId = "initial-response" | "ongoing-response" | "status-update" | "workaround" | "resolution";
export const METRIC_IDS: readonly MetricId[] = [
  "initial-response",
  "ongoing-response",
  "status-update",
  "workaround",
  "resolution",
];

export type CaseTypeId = "incident" | "query" | "security-report" | "service-request" | "change-request" | "rfe";
export const CASE_TYPE_IDS: readonly CaseTypeId[] = [
  "incident",
  "query",
  "security-report",
  "service-request",
  "change-request",
  "rfe",
];

export type Environment = "production" | "pre-production" | "development";

/** Entitlements an organization may hold (set with `org add --entitlement`). */
export type EntitlementId = "24x7-sev1" | "named-contact" | "managed-deployment" | (string & {});

export interface Target {
  duration: BusinessDuration;
  /** How the seed words it, for acknowledgments: "4 business hours", "30 minutes". */
  text: string;
}

export type TargetSet = Partial<Record<MetricId, Target>>;

export interface SeverityLevel {
  /** Stable id stored on cases: "1".."4" or "P0".."P3". */
  id: string;
  /** Display name: "Severity 1 (Critical)". */
  name: string;
  definition: string;
  /** What a customer may write, matched case-insensitively after normalising spaces: "sev 1", "s1", "critical". */
  aliases: string[];
}

/** A condition on the case and the organization; every listed part must hold. */
export interface Condition {
  entitlements?: EntitlementId[];
  environments?: Environment[];
}

/**
 * Targets for one case type and severity (severity null: every severity, e.g. queries).
 * Several service levels may match; the first whose `when` holds wins, so variants come first.
 */
export interface ServiceLevel {
  caseType: CaseTypeId;
  severity: string | null;
  /** "24x7" counts targets in wall-clock time in the calendar's zone. */
  coverage: "business" | "24x7";
  when?: Condition;
  targets: TargetSet;
}

/** "Severity 1 only in production": when `severity` (and `caseType`, if given) is chosen but `requires` fails. */
export interface EligibilityRule {
  severity?: string;
  caseType?: CaseTypeId;
  requires: Condition;
  /** Downgrade to this severity id, or refuse to open an incident of this kind (Konneqt Basic: production only). */
  otherwise: { downgradeTo: string } | { refuse: true };
  /** Said in the acknowledgment: "Severity 1 applies only to production environments". */
  reason: string;
}

export type Audience = "assignee" | "team" | "managers" | "executives";

export interface ReminderThreshold {
  /** Fraction of the target elapsed: 0.5, 0.8; 1 is the breach. */
  at: number;
  notify: Audience[];
  /** Only for these metrics (default: all). */
  metrics?: MetricId[];
  /** Only for these severities (default: all). */
  severities?: string[];
}

export interface Policy {
  id: string;
  name: string;
  /** The seed file it is built from, for traceability. */
  seed: string;
  calendar: CalendarSpec & {
    /** CIQ: "local time" of the customer: the organization's or contact's zone replaces `zone`. */
    followsCustomerZone?: boolean;
    /** For acknowledgments: "weekdays 08:00–18:00 Pacific". */
    description: string;
  };
  caseTypes: CaseTypeId[];
  defaultCaseType: CaseTypeId;
  severities: SeverityLevel[];
  defaultSeverity: string;
  serviceLevels: ServiceLevel[];
  eligibility: EligibilityRule[];
  /** Template fields the acknowledgment asks for when missing: "name", "company", "severity", "environment"… */
  requiredFields: string[];
  reminders: ReminderThreshold[];
  /** Metrics whose clock stops while the case waits on the customer (never the initial response). */
  pausedWhileWaiting: MetricId[];
  /** Cc the organization's other DTCs on acknowledgments. */
  ackCcDtcs: boolean;
  entitlements: Array<{ id: EntitlementId; description: string }>;
  /** Infotecs Basic: 40 tickets a year, unused ones carried over. */
  quota?: {
    ticketsPerYear: number;
    carryOver: boolean;
    /** Only these case types count towards the allowance (default: every type). */
    countedCaseTypes?: CaseTypeId[];
  };
  /** Whom customers ask about the agreement itself (renewal, more tickets), when the organization names no one. */
  accountContact?: string;
  /**
   * Infotecs Premium "Emergency support – immediate reaction": a request whose subject or Severity field holds
   * one of `words` is flagged to `notify` as soon as it is opened.
   */
  emergency?: { words: string[]; notify: Audience[]; reason: string };
  /** Konneqt: 90 days for PII after contract end, attachments after close. */
  retention?: { piiDaysAfterContractEnd?: number; attachmentsDaysAfterClose?: number; portalDataDaysAfterContractEnd?: number };
  /** Konneqt: query support hour limits per subscription term. */
  queryHourLimits?: Partial<Record<CaseTypeId, number>>;
  /** Infotecs: the product lifecycle file and how Extended Support narrows intake. */
  lifecycle?: LifecycleRules;
}
