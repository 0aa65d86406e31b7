/**
 * `ingest --dry-run`: the inbound pipeline's parse → load → decide, without the apply step. The load runs
 * inside a transaction that is always rolled back, so even a future load step that writes (a lock row,
 * a counter) cannot leave a trace: a dry run is safe against the production database.
 */
import { decideInbound } from "../cases/decide.js";
import { toDryRunJson, type DryRunJson } from "../cases/dry-run-json.js";
import type { InboundDecision } from "../cases/inbound-decision.js";
import { messageIdentity } from "../cases/records.js";
import type { NormalizedMessage } from "../mail/message.js";
import { parseMessage } from "../mail/parse.js";
import { contextFor, loadBatchFacts, type MailboxInfo } from "./load.js";
import type { InboundDeps } from "./process.js";

export interface DryRunResult {
  msg: NormalizedMessage;
  decision: InboundDecision;
  /** toDryRunJson plus `duplicate`: the message is already stored, so a real ingest would change nothing. */
  json: DryRunJson & { duplicate: boolean; mailbox: string };
}

/** Thrown inside the transaction to roll it back; never escapes dryRunRawMessage. */
class RollBack extends Error {}

/** The same load and decision as a real ingest of a batch of one; a stored copy is decided anyway, to show why. */
export async function dryRunRawMessage(deps: Pick<InboundDeps, "db" | "desk" | "clock" | "config" | "limits">, mailbox: MailboxInfo, raw: Buffer): Promise<DryRunResult> {
  const now = deps.clock.now();
  const msg = await parseMessage(raw, deps.limits);
  let outcome: { decision: InboundDecision; duplicate: boolean } | undefined;
  try {
    await deps.db.transaction(async (tx) => {
      const facts = await loadBatchFacts(tx, [msg], deps.config, now, deps.desk.policies);
      const context = contextFor(msg, facts, { mailbox, policies: deps.desk.policies, config: deps.config }, new Map());
      outcome = { decision: decideInbound(msg, context, now), duplicate: facts.stored.has(messageIdentity(msg)) };
      throw new RollBack("dry run");
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  if (!outcome) throw new Error("dry run: the decision was not reached");
  const { decision, duplicate } = outcome;
  return { msg, decision, json: { ...toDryRunJson(decision, msg), duplicate, mailbox: mailbox.name } };
}

/** The dry-run JSON as a person reads it: one `key: value` per line, fields and text indented. */
export function formatDryRun(json: DryRunResult["json"]): string {
  const sev = json.severity ? `${json.severity.id} (${json.severity.source}: ${json.severity.reason})` : "-";
  const lines = [
    `from:            ${json.from ?? "-"}`,
    `subject:         ${json.subject}`,
    `mailbox:         ${json.mailbox}`,
    `classification:  ${json.classification}`,
    `authorization:   ${json.authorization}`,
    `organization:    ${json.organization ?? "-"}`,
    `thread:          ${json.thread === "new" ? "new" : `case #${json.thread}`}`,
    `outcome:         ${json.outcome}${json.duplicate ? " (already stored: a real ingest would be a duplicate)" : ""}`,
    `reason:          ${json.reason}`,
    `severity:        ${sev}`,
    `case type:       ${json.caseType ?? "-"}`,
    `missing fields:  ${json.missingFields.length ? json.missingFields.join(", ") : "none"}`,
    `attachments:     ${json.attachments.length ? "" : "none"}`,
    ...json.attachments.map((a) => `  ${a.filename} (${a.contentType}, ${a.size} bytes)`),
    `fields:          ${Object.keys(json.fields).length ? "" : "none"}`,
    ...Object.entries(json.fields).map(([k, v]) => `  ${k}: ${v.replace(/\n/g, "\n    ")}`),
    "text:",
    ...json.text.split("\n").map((l) => `  ${l}`),
  ];
  return lines.map((l) => l.trimEnd()).join("\n") + "\n";
}
