/** What the inbound pipeline needs, from the app's context: the one place its config is read. */
import type { AppContext } from "../context.js";
import type { Desk } from "../desk.js";
import { normalizeAddress } from "../mail/address.js";
import { DEFAULT_PARSE_LIMITS, type MessageParser } from "../mail/message.js";
import { inlineParser } from "../mail/parse-pool.js";
import type { InboundDeps } from "./process.js";

export function inboundDepsFor(ctx: AppContext, desk: Desk, parser: MessageParser = inlineParser): InboundDeps {
  const { config } = ctx;
  return {
    db: ctx.database.db,
    desk,
    clock: ctx.clock,
    logger: ctx.logger.child({ subsystem: "inbound" }),
    config: {
      autoReplyCapPerHour: config.autoReplyCapPerHour,
      unknownSenders: config.unknownSenders,
      caseTokenFormat: config.caseToken,
      ourDomains: [config.supportDomain],
      ourAddresses: [...new Set([config.from, ...config.mailboxes.map((m) => m.address)].map(normalizeAddress))],
      ...(config.authservId ? { authservId: config.authservId } : {}),
      requireDkimOrSpf: config.requireDkimOrSpf,
    },
    limits: { ...DEFAULT_PARSE_LIMITS, ...config.limits },
    parser,
    failedKeys: new Set(),
  };
}
