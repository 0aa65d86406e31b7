/**
 * What kind of mail this is, before anyone decides to answer it. Pure. Each rule family lives in
 * src/mail/automatic/; this file holds only their order, and the order is the policy.
 *
 * First match wins:
 *  1. loop: our own mail coming back must never be answered, even if it also looks like a bounce or an
 *     auto-reply (our acknowledgments carry Auto-Submitted).
 *  2. bounce, by what only a delivery report or a mail daemon carries: DSNs often carry Auto-Submitted
 *     too, but a bounce has a further effect (marks the outbox row bounced).
 *  3. report: any other multipart/report (feedback report, read receipt) is a machine's report.
 *  4. auto-reply: RFC 3834 markers and out-of-office subjects, before a bare null sender, because
 *     RFC 3834 lets a vacation reply go out with Return-Path <>.
 *  5. bounce, by a null sender alone.
 *  6. list, before vendor notifications: many of those are list mail too, and list mail is not recorded.
 *  7. auto-reply, by a vendor's notification marker (automatic/notification.ts says why that kind).
 */
import { normalizeAddress } from "./address.js";
import { autoReplyReason } from "./automatic/auto-reply.js";
import { bounceReason, nullSenderReason } from "./automatic/bounce.js";
import { listReason } from "./automatic/list.js";
import { loopReason } from "./automatic/loop.js";
import { notificationReason } from "./automatic/notification.js";
import { reportReason } from "./automatic/report.js";
import type { Ours, Rule } from "./automatic/rule.js";
import type { NormalizedMessage } from "./message.js";

/** "report": a feedback report, read receipt or other machine report about a message (never a bounce). */
export type MessageKind = "normal" | "auto-reply" | "bounce" | "report" | "list" | "loop";

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

const RULES: ReadonlyArray<readonly [MessageKind, Rule]> = [
  ["loop", loopReason],
  ["bounce", bounceReason],
  ["report", reportReason],
  ["auto-reply", autoReplyReason],
  ["bounce", nullSenderReason],
  ["list", listReason],
  ["auto-reply", notificationReason],
];

export function classifyMessage(msg: NormalizedMessage, ctx: ClassifyContext): Classification {
  const ours: Ours = {
    domains: new Set(ctx.ourDomains.map((d) => d.trim().toLowerCase())),
    addresses: new Set(ctx.ourAddresses.map(normalizeAddress)),
  };
  for (const [kind, rule] of RULES) {
    const reason = rule(msg, ours);
    if (reason !== null) return { kind, reason };
  }
  return { kind: "normal", reason: "no automatic-mail markers" };
}
