/**
 * The "decide" step for a batch (pure): each message in order against the facts loaded for the batch.
 * Facts are exact for a message only while nothing applied earlier in the same round can change them, so
 * the round stops before a message that depends on one decided in it: one that answers or reports a
 * message of the round, or names by token or thread a case that the round opens or writes on. The
 * caller applies the round, loads again and decides the rest; a round always takes its first message.
 */
import { decideInbound } from "../cases/decide.js";
import type { InboundConfig, InboundContext, InboundDecision } from "../cases/inbound-decision.js";
import { messageIdentity } from "../cases/records.js";
import type { NormalizedMessage } from "../mail/message.js";
import { contextFor, threadRefsOf, type BatchFacts, type MailboxInfo } from "./load.js";

export interface DecideEnv {
  mailbox: MailboxInfo;
  policies: InboundContext["policies"];
  config: InboundConfig;
}

/** A message's decision: a duplicate of a stored or earlier copy, or the plan to apply. */
export type Decided = { duplicate: true } | { duplicate: false; decision: InboundDecision };

export interface Round {
  /** Decisions for msgs[0 .. decided.length - 1]; the rest waits for the next round. */
  decided: Decided[];
}

export function decideRound(msgs: NormalizedMessage[], facts: BatchFacts, env: DecideEnv, now: number): Round {
  const decided: Decided[] = [];
  const seen = new Set<string>();
  const touched = new Set<number>();
  let opened = false;
  const queued = new Map<string, number>();
  for (const msg of msgs) {
    const identity = messageIdentity(msg);
    if (facts.stored.has(identity) || seen.has(identity)) {
      decided.push({ duplicate: true });
      continue;
    }
    const { ids, token } = threadRefsOf(msg, env.config);
    const dependsOnRound =
      ids.some((id) => seen.has(id)) ||
      (token !== null && (touched.has(token) || (opened && !facts.tokenCases.has(token)))) ||
      ids.some((id) => touched.has(facts.threaded.get(id) ?? -1));
    if (dependsOnRound && decided.length > 0) break;
    seen.add(identity);
    const decision = decideInbound(msg, contextFor(msg, facts, env, queued), now);
    decided.push({ duplicate: false, decision });
    if (decision.outcome === "new-case") opened = true;
    if (decision.outcome === "thread") touched.add(decision.caseNumber);
    const repliedTo = autoReplyTo(decision);
    if (repliedTo) queued.set(repliedTo, (queued.get(repliedTo) ?? 0) + 1);
  }
  return { decided };
}

/** The sender an acknowledgment or refusal goes to: it counts against their hourly cap. */
function autoReplyTo(d: InboundDecision): string | null {
  if (d.outcome === "new-case" && d.acknowledge) return d.requester.email;
  if (d.outcome === "refuse" && d.reply) return d.sender;
  return null;
}
