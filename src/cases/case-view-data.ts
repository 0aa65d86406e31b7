/**
 * The plain data `case show` and the board's case page are made of, as the store loads it
 * (src/store/repos/case-view.ts) and the presenter (case-view.ts) reads it. Types only.
 */
import type { Agreement } from "../entitlements/agreement.js";
import type { ServiceLevel } from "../policy/types.js";

export interface CaseViewAttachment {
  id: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** false once retention deleted the bytes (the record stays). */
  stored: boolean;
}

export interface CaseViewReceived {
  id: number;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string | null;
  receivedAt: Date;
  attachments: CaseViewAttachment[];
}

export interface CaseViewSent {
  id: number;
  kind: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  state: string;
  queuedAt: Date;
  sentAt: Date | null;
  attachments: Array<{ filename: string; contentType: string; size?: number; attachmentId?: number }>;
}

export interface CaseViewData {
  case: {
    id: number;
    number: number;
    subject: string;
    status: string;
    caseType: string;
    severity: string;
    severitySource: string;
    severityReason: string | null;
    policyId: string;
    missingFields: string[];
    openedAt: Date;
  };
  organization: {
    id: number;
    name: string;
    timeZone: string | null;
    entitlements: string[];
    closedDates: string[];
    contract: ServiceLevel[] | null;
    agreement: Agreement | null;
  };
  requester: { id: number; name: string; email: string; timeZone: string | null; dtc: boolean };
  assignee: { id: number; name: string; email: string; active: boolean } | null;
  /** The whole trail, oldest first (insertion order breaks ties). */
  events: Array<{ id: number; at: Date; actor: string; kind: string; data: Record<string, unknown> }>;
  received: CaseViewReceived[];
  sent: CaseViewSent[];
}
