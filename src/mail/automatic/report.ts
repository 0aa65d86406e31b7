/**
 * Every other multipart/report (RFC 6522) is a machine's report about a message, never a person writing:
 * feedback (abuse) reports (ARF, RFC 5965), read receipts (RFC 8098), and reports that name no type.
 * Delivery reports are bounces and are decided before this. Pure.
 */
import type { Rule } from "./rule.js";

const FEEDBACK_PART = "message/feedback-report";

export const reportReason: Rule = (msg) => {
  const feedbackPart = msg.attachments.some((a) => a.contentType.toLowerCase() === FEEDBACK_PART);
  if (msg.reportType === "feedback-report") return "feedback report (ARF): multipart/report; report-type=feedback-report";
  if (msg.isReport && msg.reportType !== null) return `multipart/report; report-type=${msg.reportType}`;
  if (msg.isReport) return feedbackPart ? "feedback report (ARF): multipart/report without a report-type" : "multipart/report without a report-type";
  // A feedback part outside a report (a provider that wraps it in multipart/mixed) is still a report.
  return feedbackPart ? `${FEEDBACK_PART} part` : null;
};

/** A complaint (ARF): whoever received the reported mail asked their provider to stop it. */
export function isFeedbackReport(msg: Parameters<Rule>[0]): boolean {
  return msg.reportType === "feedback-report" || msg.attachments.some((a) => a.contentType.toLowerCase() === FEEDBACK_PART);
}
