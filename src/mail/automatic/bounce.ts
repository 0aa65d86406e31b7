/**
 * Bounces (delivery status notifications), in two strengths. Pure.
 * - bounceReason: what only a delivery report or a mail daemon carries (the report structure, a daemon as
 *   sender by address or display name, X-Failed-Recipients, a null sender returning our own message). It
 *   decides before the auto-reply markers, because DSNs carry Auto-Submitted too and a bounce has a further
 *   effect: the outbox row it names is marked bounced.
 * - nullSenderReason: a null sender and nothing else. RFC 3834 lets vacation programs send with
 *   Return-Path <>, so this decides only after the auto-reply markers have had their say.
 */
import { headerValue, type NormalizedMessage } from "../message.js";
import { isOurId, type Rule } from "./rule.js";

const DAEMON_LOCALPARTS = new Set(["mailer-daemon", "postmaster"]);
/** Display names MTAs give their bounces ("MAILER-DAEMON <>" from DragonFly, "Mail Delivery Subsystem" from Sendmail and Gmail). */
const DAEMON_NAME = /^(?:mailer[- ]daemon|mail delivery (?:system|subsystem|service)|postmaster)$/i;
/** Report parts only a delivery status notification has (RFC 3464; RFC 6533 for the internationalised form). */
const DSN_PARTS = new Set(["message/delivery-status", "message/global-delivery-status"]);
/** The per-recipient fields of a delivery-status part (mailparser folds that part into the text). */
const DSN_FIELDS = [/^final-recipient:\s*\S/im, /^action:\s*(?:failed|delayed|delivered|relayed|expanded)\b/im, /^status:\s*[245]\.\d{1,3}\.\d{1,3}\b/im];

export const bounceReason: Rule = (msg, ours) => {
  if (msg.isReport && msg.reportType === "delivery-status") return "multipart/report; report-type=delivery-status";
  const part = msg.attachments.find((a) => DSN_PARTS.has(a.contentType.toLowerCase()));
  if (part !== undefined) return `${part.contentType} part`;
  if (msg.isReport && DSN_FIELDS.every((f) => f.test(msg.text))) return "multipart/report with delivery-status fields (Final-Recipient, Action, Status)";
  if (headerValue(msg, "x-failed-recipients") !== undefined) return "X-Failed-Recipients header";
  const local = msg.from?.address.split("@")[0] ?? "";
  if (DAEMON_LOCALPARTS.has(local)) return `From ${msg.from?.address}`;
  const name = displayName(msg);
  if (DAEMON_NAME.test(name)) return `From display name ${name}${msg.from === null ? " with a null address" : ""}`;
  const whyNull = nullSender(msg);
  const ourId = whyNull === null ? undefined : msg.reportedMessageIds.find((id) => isOurId(id, ours));
  return ourId === undefined ? null : `${whyNull} returning our message ${ourId}`;
};

export const nullSenderReason: Rule = (msg) => nullSender(msg);

function nullSender(msg: NormalizedMessage): string | null {
  const returnPath = headerValue(msg, "return-path");
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath.trim())) return "empty Return-Path <> (null sender)";
  if (msg.from === null && /<\s*>/.test(headerValue(msg, "from") ?? "")) return "From <> (null address)";
  return null;
}

/** The sender's display name; for a From with no usable address, read from the header itself ("MAILER-DAEMON <>"). */
function displayName(msg: NormalizedMessage): string {
  if (msg.from !== null) return msg.from.name.trim();
  const raw = headerValue(msg, "from") ?? "";
  return raw.replace(/<[^>]*>/g, "").replace(/\([^)]*\)/g, "").replace(/"/g, "").trim();
}
