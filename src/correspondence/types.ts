/** What applying correspondence on a case takes and gives back, for staff and customer mail alike. */
import type { CaseCommand, CommandError } from "../cases/commands.js";
import type { Desk } from "../desk.js";
import type { NormalizedMessage } from "../mail/message.js";
import type { OutgoingKind } from "../outbox/headers.js";
import type { Case } from "../store/repos/cases.js";
import type { Contact } from "../store/repos/contacts.js";

export interface InboundEntry {
  /** The messages row already stored for this email. */
  id: number;
  normalized: NormalizedMessage;
  /** The body text with quoted history removed (what the case thread shows). */
  text: string;
}

export interface StaffMessageInput {
  desk: Desk;
  caseRow: Case;
  message: InboundEntry;
  staffMember: { id: number; email: string; name: string };
  now: number;
  /** When the mail was received (the trail's instant for what it did); now when there is no mail. */
  at?: number;
}

export interface CorrespondenceResult {
  /**
   * rejected: a command was wrong, nothing applied; note: #comment; reply: recorded and relayed;
   * changed: commands only, no text for the customer; customer-reply: a customer's message.
   */
  outcome: "rejected" | "note" | "reply" | "changed" | "customer-reply";
  commands: CaseCommand[];
  errors: CommandError[];
  /** Kinds of mail queued by this call. */
  queued: OutgoingKind[];
  caseRow: Case;
}

export interface CustomerMessageInput {
  desk: Desk;
  caseRow: Case;
  message: InboundEntry;
  contact: Pick<Contact, "id" | "email" | "name">;
  now: number;
  /** When the mail was received: the reply resumes paused clocks from then, not from when it was read. */
  at?: number;
}
