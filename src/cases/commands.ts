/**
 * Commands at the top of a staff member's email ("#severity 2", "#status waiting", ...), one per line,
 * before any other text. Pure: (text, policy, staff list) → typed commands, the text without them, and
 * the errors. Any error means nothing is applied (all-or-nothing), so the caller checks `errors` first.
 */
import { normalizeAddress } from "../mail/address.js";
import { resolveSeverity } from "../policy/select.js";
import type { CaseTypeId, Policy } from "../policy/types.js";
import { parseTimeSpent } from "./time-entry.js";

export const COMMAND_STATUSES = ["open", "waiting", "resolved", "closed"] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export type CaseCommand =
  | { kind: "severity"; severity: string; line: number }
  | { kind: "type"; caseType: CaseTypeId; line: number }
  | { kind: "status"; status: CommandStatus; line: number }
  | { kind: "assign"; staffId: number; email: string; line: number }
  | { kind: "workaround"; line: number }
  | { kind: "comment"; line: number }
  | { kind: "time"; minutes: number; counts: boolean; line: number }
  | { kind: "contact"; reachable: boolean; line: number };
export type CommandKind = CaseCommand["kind"];

export interface CommandError {
  /** 1-based line of the message text. */
  line: number;
  text: string;
  reason: string;
}

export interface ParsedCommands {
  commands: CaseCommand[];
  /** The text with the command lines (and the blank lines right after them) removed. */
  body: string;
  errors: CommandError[];
}

export interface CommandContext {
  policy: Policy;
  /** Active staff who may be assigned. */
  staff: ReadonlyArray<{ id: number; email: string; active?: boolean }>;
  /** The staff member who wrote the commands: what "#assign me" names. */
  self?: string;
}

const COMMAND_KINDS: readonly CommandKind[] = ["severity", "type", "status", "assign", "workaround", "comment", "time", "contact"];
/** "#word rest": a "#" followed by a letter; "# Heading" and "#1" are ordinary text. */
const COMMAND_LINE = /^#([a-z][a-z0-9_-]*)(?:\s+(.*))?$/i;

type Outcome = { command: CaseCommand } | { reason: string };

export function parseCommands(text: string, ctx: CommandContext): ParsedCommands {
  const lines = text.split(/\r?\n/);
  const commands: CaseCommand[] = [];
  const errors: CommandError[] = [];
  let i = 0;
  let seen = false;
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === "") continue;
    const match = COMMAND_LINE.exec(trimmed);
    if (!match) break;
    seen = true;
    const outcome = interpret(match[1]!.toLowerCase(), (match[2] ?? "").trim(), i + 1, ctx);
    if ("reason" in outcome) errors.push({ line: i + 1, text: trimmed, reason: outcome.reason });
    else {
      const earlier = commands.find((c) => c.kind === outcome.command.kind);
      if (earlier) errors.push({ line: i + 1, text: trimmed, reason: `#${earlier.kind} is already given on line ${earlier.line}; keep one` });
      else commands.push(outcome.command);
    }
  }
  // Without commands the text is returned as written (leading blank lines included).
  const body = seen ? lines.slice(i).join("\n") : text;
  return { commands: errors.length ? [] : commands, body, errors };
}

/** One command given on its own, as the CLI does (`case assign N me` is "#assign me"): the same rules as by mail. */
export function parseCommand(kind: CommandKind, value: string, ctx: CommandContext): { command: CaseCommand } | { reason: string } {
  return interpret(kind, value.trim(), 1, ctx);
}

function interpret(name: string, value: string, line: number, ctx: CommandContext): Outcome {
  switch (name) {
    case "severity":
      return severity(value, line, ctx);
    case "type":
      return caseType(value, line, ctx);
    case "status":
      return status(value, line);
    case "assign":
      return assign(value, line, ctx);
    case "workaround":
    case "comment":
      return value === "" ? { command: { kind: name, line } } : { reason: `#${name} takes no value (found "${value}")` };
    case "time":
      return time(value, line);
    case "contact":
      return contact(value, line, ctx);
    default:
      return { reason: `unknown command #${name}; the commands are ${COMMAND_KINDS.map((k) => `#${k}`).join(", ")}` };
  }
}

function severity(value: string, line: number, ctx: CommandContext): Outcome {
  const ids = ctx.policy.severities.map((s) => s.id).join(", ");
  if (value === "") return { reason: `#severity needs a value: one of ${ids}` };
  const level = resolveSeverity(ctx.policy, value);
  return level ? { command: { kind: "severity", severity: level.id, line } } : { reason: `"${value}" is not a severity of this case's policy; use one of ${ids}` };
}

function caseType(value: string, line: number, ctx: CommandContext): Outcome {
  const allowed = ctx.policy.caseTypes.join(", ");
  if (value === "") return { reason: `#type needs a value: one of ${allowed}` };
  // "Service request", "service_request" and "service-request" all name the same type.
  const wanted = value.toLowerCase().replace(/[\s_]+/g, "-");
  const found = ctx.policy.caseTypes.find((t) => t === wanted);
  return found ? { command: { kind: "type", caseType: found, line } } : { reason: `"${value}" is not a case type of this case's policy; use one of ${allowed}` };
}

function status(value: string, line: number): Outcome {
  const wanted = value.toLowerCase();
  const found = COMMAND_STATUSES.find((s) => s === wanted);
  return found ? { command: { kind: "status", status: found, line } } : { reason: `#status needs one of ${COMMAND_STATUSES.join(", ")} (found "${value}")` };
}

function assign(value: string, line: number, ctx: CommandContext): Outcome {
  if (value === "") return { reason: "#assign needs the email address of an active staff member, or me" };
  if (value.toLowerCase() === "me" && !ctx.self) return { reason: "#assign me needs a staff member as the sender; name the engineer's address instead" };
  const email = value.toLowerCase() === "me" ? normalizeAddress(ctx.self) : normalizeAddress(value.replace(/^mailto:/i, "").replace(/^<|>$/g, ""));
  const member = ctx.staff.find((s) => normalizeAddress(s.email) === email && s.active !== false);
  return member ? { command: { kind: "assign", staffId: member.id, email: member.email, line } } : { reason: `${email} is not an active staff member` };
}

function time(value: string, line: number): Outcome {
  const spent = parseTimeSpent(value);
  return "reason" in spent ? spent : { command: { kind: "time", minutes: spent.minutes, counts: spent.counts, line } };
}

/**
 * [002] 5.1 "If no dedicated point of contact is identified or if the point of contact is unreachable,
 * Support Services will revert to standard support": only a policy with a named point of contact has one.
 */
function contact(value: string, line: number, ctx: CommandContext): Outcome {
  if (!ctx.policy.entitlements.some((e) => e.id === "named-contact")) {
    return { reason: `#contact applies to policies with a named point of contact; ${ctx.policy.id} has none` };
  }
  const wanted = value.toLowerCase();
  if (wanted !== "unreachable" && wanted !== "reachable") return { reason: `#contact needs unreachable or reachable (found "${value}")` };
  return { command: { kind: "contact", reachable: wanted === "reachable", line } };
}
