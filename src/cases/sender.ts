/** Who the sender is to us, and whether we may answer them automatically (pure). */
import { normalizeAddress } from "../mail/address.js";
import type { AuthResult } from "../mail/auth-results.js";
import type { Authorization, InboundContext } from "./inbound-decision.js";

export function authorizationOf(ctx: Pick<InboundContext, "sender">, auth: AuthResult): Authorization {
  if (auth.verdict === "unverified") return "unverified";
  if (ctx.sender.staff) return "staff";
  const contact = ctx.sender.contact;
  if (contact?.dtc && contact.active) return "dtc";
  if (contact || ctx.sender.domainOrganization) return "non-dtc";
  return "unknown";
}

/**
 * At most autoReplyCapPerHour automatic replies (acknowledgments and refusals alike) per sender address per
 * hour, whatever else happens: two mail robots answering each other stop here. Never to ourselves.
 */
export function autoReplyAllowed(ctx: Pick<InboundContext, "autoReplyCount" | "config" | "sender">, sender: string): boolean {
  return autoReplyWithheld(ctx, sender) === null;
}

/**
 * Why no automatic reply may go to `sender` now, or null when one may. `capped`: only the hour's cap
 * stands in the way (an acknowledgment can wait for the window); otherwise it never may.
 */
export function autoReplyWithheld(ctx: Pick<InboundContext, "autoReplyCount" | "config" | "sender">, sender: string): { reason: string; capped: boolean } | null {
  if (sender === "") return { reason: "the message has no sender address", capped: false };
  if (ctx.sender.complained) return { reason: `${sender} complained about our mail (feedback report)`, capped: false };
  if (ctx.config.ourAddresses.some((a) => normalizeAddress(a) === sender)) return { reason: `${sender} is our own address`, capped: false };
  if (ctx.autoReplyCount < ctx.config.autoReplyCapPerHour) return null;
  const cap = ctx.config.autoReplyCapPerHour;
  return { reason: `per-sender cap: ${sender} already had ${ctx.autoReplyCount} automatic replies in the last hour (autoReplyCapPerHour: ${cap})`, capped: true };
}

/** A Message-ID we generated: its domain is one of ours ("…@support-inbox.local"). */
export function isOurMessageId(id: string, ourDomains: readonly string[]): boolean {
  const domain = id.slice(id.lastIndexOf("@") + 1).replace(/>$/, "").toLowerCase();
  return id.includes("@") && ourDomains.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`));
}
