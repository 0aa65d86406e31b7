/**
 * Machine notifications that carry no RFC 3834 marker, only their vendor's own: issue trackers, code hosts,
 * ticketing systems, bulk-sending platforms. Nobody there reads a refusal, and an acknowledgment to one
 * would start two robots answering each other. Classified "auto-reply" (never answered, recorded on a case
 * when it threads into one): such a notification is generated mail about something, like RFC 3834's
 * auto-generated, and unlike list mail it may well be about the case it threads into. Pure.
 */
import { headerValue } from "../message.js";
import type { Rule } from "./rule.js";

/** Header names (lowercase, prefix match where they end in "-") only these systems set. */
const MARKER_HEADERS = [
  "x-jira-fingerprint",
  "x-github-",
  "x-gitlab-",
  "x-bugzilla-",
  "x-redmine-",
  "x-servicenow-generated",
  "x-zendesk-",
  "x-rt-loop-prevention",
  "feedback-id",
];

/** X-Mailer values of ticketing systems: their mail is the system's ("your request was received"). */
const TICKETING_MAILER = /\b(?:otrs|znuny|zammad|zendesk|freshdesk|servicenow|jira|kayako|osticket|help ?scout|request tracker)\b/i;

export const notificationReason: Rule = (msg) => {
  for (const name of Object.keys(msg.headers)) {
    const marker = MARKER_HEADERS.find((m) => (m.endsWith("-") ? name.startsWith(m) : name === m));
    if (marker !== undefined) return `machine notification: ${name} header`;
  }
  const mailer = headerValue(msg, "x-mailer");
  if (mailer !== undefined && TICKETING_MAILER.test(mailer)) return `machine notification: X-Mailer ${mailer.trim()}`;
  return null;
};
