/**
 * Automatic replies: RFC 3834 markers, the vendor variants of them, and out-of-office subjects. These
 * decide before a bare null sender does, since RFC 3834 lets vacation programs send with Return-Path <>.
 * Precedence: bulk|junk counts here (vacation programs set it). Pure.
 */
import { headerValue } from "../message.js";
import type { Rule } from "./rule.js";

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

export const autoReplyReason: Rule = (msg) => {
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
};
