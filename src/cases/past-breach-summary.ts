/**
 * The one mail that tells the managers of breaches that were already past when their mail was read (a backlog
 * found at start-up, a worker that was down): one line per breach instead of one alert each. Pure: the
 * breaches, the staff list and now in, the outbox row (or null when there is nobody to tell) out.
 */
import type { Desk } from "../desk.js";
import { caseToken, headerSafe, messageIdFor, standardHeaders } from "../outbox/headers.js";
import type { NewOutgoing } from "../outbox/queue.js";
import type { Audience, MetricId } from "../policy/types.js";
import { recipientsFor, type StaffMember } from "../correspondence/recipients.js";
import { formatDue, formatSpan, METRIC_LABELS } from "./present.js";

export interface PastBreach {
  id: number;
  caseNumber: number;
  subject: string;
  organization: string;
  /** The severity's display name. */
  severity: string;
  metric: string;
  dueAt: number;
  /** When the mailbox received the mail that opened the case, and when we read it. */
  receivedAt: number;
  readAt: number;
  notify: string[];
}

export interface PastBreachSummary {
  mail: NewOutgoing | null;
  recipients: StaffMember[];
}

/**
 * Managers always; executives too when a breach listed is one the policy escalates to them (Konneqt's
 * workaround and resolution), as its own breach alert would have.
 */
export function pastBreachSummary(desk: Desk, mailbox: string, breaches: PastBreach[], staff: StaffMember[], now: number): PastBreachSummary {
  const audiences: Audience[] = ["managers", ...(breaches.some((b) => b.notify.includes("executives")) ? (["executives"] as const) : [])];
  const recipients = recipientsFor(audiences, null, staff);
  if (breaches.length === 0 || recipients.length === 0) return { mail: null, recipients };
  const zone = recipients[0]?.timeZone ?? desk.timeZone;
  const lines = breaches.map((b) => ({
    caseToken: caseToken(desk.caseTokenFormat, b.caseNumber),
    subject: headerSafe(b.subject, 200),
    organization: b.organization,
    severity: b.severity,
    metric: METRIC_LABELS[b.metric as MetricId] ?? b.metric,
    due: formatDue(b.dueAt, zone),
    received: formatDue(b.receivedAt, zone),
    read: formatDue(b.readAt, zone),
    late: formatSpan(now - b.dueAt, { business: false }),
  }));
  const cases = new Set(breaches.map((b) => b.caseNumber)).size;
  const body = desk.templates.render("past-breaches", { mailbox, count: breaches.length, cases, breaches: lines, supportAddress: desk.fromAddress });
  // The first id is unique to this summary: the rows it names are marked reported in the same transaction.
  const key = `past-breaches:${mailbox}:${breaches[0]!.id}`;
  return {
    recipients,
    mail: {
      idempotencyKey: key,
      kind: "past-breaches",
      caseId: null,
      from: desk.fromAddress,
      to: recipients.map((s) => s.email),
      replyTo: desk.fromAddress,
      subject: headerSafe(`SLA breaches found on reading a backlog: ${breaches.length} on ${cases} case${cases === 1 ? "" : "s"} (${mailbox})`),
      messageId: messageIdFor(key, desk.supportDomain),
      headers: { ...standardHeaders("past-breaches", desk.fromAddress) },
      text: body.text,
      html: body.html,
    },
  };
}
