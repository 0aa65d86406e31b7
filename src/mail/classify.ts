/**
 * What kind of mail this is, before anyone decides to answer it. Pure.
 *
 * Precedence (first match wins): loop > bounce > auto-reply > list > normal.
 * - loop first: our own mail coming back must never be answered, even if it also looks
 *   like a bounce or an auto-reply (our acknowledgments carry Auto-Submitted).
 * - bounce before auto-reply: DSNs often carry Auto-Submitted too, but a bounce has a
 *   further effect (marks the outbox row bounced), so it must be recognised as such.
 * - auto-reply before list: both are never acknowledged, but an auto-reply that threads
 *   into a case is recorded on it, list mail is not.
 * Precedence: bulk|junk counts as auto-reply (vacation programs set it); Precedence: list
 * counts as list.
 */
import { normalizeAddress } from "./address.js";
import { headerValue, headerValues, type NormalizedMessage } from "./message.js";

export type MessageKind = "normal" | "auto-reply" | "bounce" | "list" | "loop";

export interface Classification {
  kind: MessageKind;
  reason: string;
}

export interface ClassifyContext {
  /** Domains used in our own Message-IDs (e.g. "support-inbox.local"). */
  ourDomains: string[];
  /** Our support mailbox addresses (e.g. "support@vendor.example"). */
  ourAddresses: string[];
}

type Rule = (msg: NormalizedMessage, ctx: NormalizedContext) => string | null;
interface NormalizedContext { domains: Set<string>; addresses: Set<string> }

export function classifyMessage(msg: NormalizedMessage, ctx: ClassifyContext): Classification {
  const norm: NormalizedContext = {
    domains: new Set(ctx.ourDomains.map((d) => d.trim().toLowerCase())),
    addresses: new Set(ctx.ourAddresses.map(normalizeAddress)),
  };
  const order: Array<[MessageKind, Rule]> = [
    ["loop", loopReason],
    ["bounce", bounceReason],
    ["auto-reply", autoReplyReason],
    ["list", listReason],
  ];
  for (const [kind, rule] of order) {
    const reason = rule(msg, norm);
    if (reason !== null) return { kind, reason };
  }
  return { kind: "normal", reason: "no automatic-mail markers" };
}

const domainOf = (id: string): string => id.slice(id.lastIndexOf("@") + 1).toLowerCase();

function loopReason(msg: NormalizedMessage, ctx: NormalizedContext): string | null {
  if (msg.messageId !== null && msg.messageId.includes("@") && ctx.domains.has(domainOf(msg.messageId))) {
    return `Message-ID ${msg.messageId} has our domain`;
  }
  for (const value of headerValues(msg, "x-loop")) {
    const hit = [...ctx.addresses].find((a) => value.toLowerCase().includes(a));
    if (hit !== undefined) return `X-Loop names our address ${hit}`;
  }
  if (msg.from !== null && ctx.addresses.has(msg.from.address)) return `From is our mailbox ${msg.from.address}`;
  return null;
}

const DAEMON_LOCALPARTS = new Set(["mailer-daemon", "postmaster"]);

function bounceReason(msg: NormalizedMessage): string | null {
  if (msg.isReport && msg.reportType === "delivery-status") return "multipart/report; report-type=delivery-status";
  const local = msg.from?.address.split("@")[0] ?? "";
  if (DAEMON_LOCALPARTS.has(local)) return `From ${msg.from?.address}`;
  const returnPath = headerValue(msg, "return-path");
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath.trim())) return "empty Return-Path <> (null sender)";
  if (headerValue(msg, "x-failed-recipients") !== undefined) return "X-Failed-Recipients header";
  return null;
}

/** Subject prefixes of out-of-office and automatic replies, several languages. */
const AUTO_REPLY_SUBJECT = new RegExp(
  "^\\s*(?:" +
    [
      "out of (?:the )?office",
      "automatic reply",
      "auto(?:matic)?[ -]?reply",
      "autoreply",
      "auto:",
      "abwesenheitsnotiz",
      "automatische antwort",
      "r[ée]ponse automatique",
      "absence du bureau",
      "fuera de la oficina",
      "respuesta autom[áa]tica",
      "risposta automatica",
      "fuori sede",
      "automatisch antwoord",
      "afwezig",
      "resposta autom[áa]tica",
    ].join("|") +
    ")",
  "i",
);

function autoReplyReason(msg: NormalizedMessage): string | null {
  const autoSubmitted = headerValue(msg, "auto-submitted");
  // RFC 3834: anything other than "no" (parameters after ";" ignored).
  if (autoSubmitted !== undefined && autoSubmitted.split(";")[0]!.trim().toLowerCase() !== "no") {
    return `Auto-Submitted: ${autoSubmitted.trim()}`;
  }
  for (const name of ["x-autoreply", "x-autorespond", "x-autoresponse"]) {
    const v = headerValue(msg, name);
    if (v !== undefined && !/^\s*(?:no|false|0)\s*$/i.test(v)) return `${name} header present`;
  }
  const precedence = headerValue(msg, "precedence")?.trim().toLowerCase();
  if (precedence === "bulk" || precedence === "junk" || precedence === "auto_reply") return `Precedence: ${precedence}`;
  if (AUTO_REPLY_SUBJECT.test(msg.subject)) return `out-of-office subject: ${msg.subject}`;
  return null;
}

function listReason(msg: NormalizedMessage): string | null {
  if (headerValue(msg, "list-id") !== undefined) return "List-Id header";
  if (headerValue(msg, "list-unsubscribe") !== undefined) return "List-Unsubscribe header";
  if (headerValue(msg, "precedence")?.trim().toLowerCase() === "list") return "Precedence: list";
  return null;
}
