/**
 * `support-inbox sla due …`: every due time of a case opened at an instant, under a policy of the catalogue
 * (bundled plus the config's policies.dirs).
 * `support-inbox calendar open …`: is the policy's desk open at an instant, and when it next opens.
 * Instants are ISO 8601; without an offset they are read in --tz (or the policy's zone).
 */
import type { Command } from "commander";
import { formatInstant, parseInstant } from "../calendar/format.js";
import { parseZone } from "../calendar/spec.js";
import { AppError } from "../errors.js";
import { requirePolicy } from "../policy/catalogue.js";
import type { Policy } from "../policy/types.js";
import { calendarsForPolicy, effectiveZone } from "../sla/calendars.js";
import { dueReport, ENVIRONMENTS, type DueReport } from "../sla/due-report.js";
import { calendarCommand } from "./calendar-commands.js";
import { collect, policiesOf, withDatabase } from "./cli-support.js";
import { withContract } from "../policy/contract.js";
import { withAgreedHours } from "../entitlements/hours.js";
import { organizationZone } from "../entitlements/organization.js";
import { contractStateAt, termOf, type ContractState } from "../entitlements/term.js";
import * as store from "../store/index.js";

function checkZone(tz: string | undefined): string | undefined {
  if (tz !== undefined && !parseZone(tz)) {
    throw new AppError("E_USAGE", `--tz "${tz}" is neither an IANA zone (America/New_York) nor a fixed offset (UTC-3)`);
  }
  return tz;
}

/** ISO without milliseconds: "2026-11-23T10:00:00-08:00". */
const show = (t: number, zone: string) => formatInstant(t, zone).replace(/\.000(?=[+-]|Z)/, "");

interface DueOptions {
  policy: string;
  severity: string;
  type?: string;
  metric?: string;
  environment?: string;
  entitlement: string[];
  at: string;
  tz?: string;
  json?: boolean;
  org?: string;
}

/**
 * With --org: the organization's contract (service levels, agreed hours, entitlements) applies, and the
 * contract's state at --at is shown as `contract: { active, start, end, year }`.
 */
async function runDueForOrg(opts: DueOptions & { org: string }, command: Command): Promise<void> {
  await withDatabase(command, async (db) => {
    const org = await store.requireOrganizationByName(db, opts.org);
    const base = requirePolicy(policiesOf(command), opts.policy);
    const policy = withAgreedHours(withContract(base, org.contract), org.agreement?.hours);
    const zone = organizationZone(base, org);
    const openedAt = parseInstant(opts.at, checkZone(opts.tz) ?? zone);
    const contract = contractStateAt(termOf(org), openedAt, zone);
    runDue({ ...opts, entitlement: [...opts.entitlement, ...org.entitlements] }, command, policy, contract);
  });
}

function runDue(opts: DueOptions, command: Command, given?: Policy, contract?: ContractState): void {
  const policy = given ?? requirePolicy(policiesOf(command), opts.policy);
  const tz = checkZone(opts.tz);
  const openedAt = parseInstant(opts.at, tz ?? effectiveZone(policy, null));
  const report = dueReport({
    policy,
    severityText: opts.severity,
    caseType: opts.type,
    metric: opts.metric,
    environment: opts.environment,
    entitlements: opts.entitlement,
    openedAt,
    customerZone: tz ?? null,
  });
  const zone = tz ?? (report.refused ? policy.calendar.zone : report.zone);
  const shown = contract ? { active: contract.active, start: contract.start, end: contract.end, year: contract.year } : undefined;
  const json = shown ? { ...(toJson(report, openedAt, zone) as object), contract: shown } : toJson(report, openedAt, zone);
  const contractLine = shown ? `contract: ${shown.active ? "active" : "NOT active"} (${shown.start ?? "?"} to ${shown.end ?? "open-ended"}${shown.year ? `, year ${shown.year}` : ""})\n` : "";
  process.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : formatDue(policy, report, openedAt, zone) + contractLine);
}

function toJson(report: DueReport, openedAt: number, zone: string): unknown {
  const openedIso = show(openedAt, zone);
  if (report.refused) return { ...report, openedAt: openedIso };
  const lines = report.lines.map((l) => ({ ...l, dueAt: show(l.dueAt, zone), dueAtMs: l.dueAt }));
  return { ...report, openedAt: openedIso, displayZone: zone, lines };
}

function formatDue(policy: Policy, r: DueReport, openedAt: number, zone: string): string {
  const out = [`policy:   ${policy.id} (${policy.name})`, `opened:   ${show(openedAt, zone)}`];
  const reasons = r.reasons.map((x) => `  because: ${x.trim().replace(/\s+/g, " ")}`);
  if (r.refused) return [...out, `refused:  ${r.caseType} severity ${r.severity} cannot be opened`, ...reasons, ""].join("\n");
  if (r.severity !== r.requestedSeverity) out.push(`severity: ${r.requestedSeverity} downgraded to ${r.severity}`, ...reasons);
  else out.push(...r.reasons.map((x) => `note:     ${x.trim().replace(/\s+/g, " ")}`));
  if (r.needsEnvironment) out.push("hint:     pass --environment to apply the rule held back");
  out.push(
    `case:     ${r.caseType}, ${r.severityName}, environment ${r.environment ?? "not given"}`,
    `hours:    ${r.coverage === "24x7" ? `24x7 (wall-clock, ${r.zone})` : `${policy.calendar.description} (${r.zone})`}`,
  );
  const width = Math.max(...r.lines.map((l) => l.metric.length));
  for (const l of r.lines) {
    // The engine starts these cycles at staff replies (status updates) or at customer messages after one
    // (ongoing response); here a cycle is shown as if it started at the opening, to show the target's span.
    const cycleStart = l.metric === "status-update" ? "each public staff reply" : "each customer message after a staff reply";
    const note = l.repeating ? `  (repeats from ${cycleStart}; shown from the opening)` : "";
    out.push(`${l.metric.padEnd(width)}  due ${show(l.dueAt, zone)}  [${l.target}]${note}`);
  }
  return out.join("\n") + "\n";
}

function runOpen(opts: { policy: string; at: string; tz?: string; json?: boolean }, command: Command): void {
  const policy = requirePolicy(policiesOf(command), opts.policy);
  const tz = checkZone(opts.tz);
  const zone = tz ?? effectiveZone(policy, null);
  const at = parseInstant(opts.at, zone);
  const cal = calendarsForPolicy(policy, tz)("business");
  const open = cal.isOpen(at);
  const next = cal.nextOpening(at);
  const calZone = effectiveZone(policy, tz);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ policy: policy.id, zone: calZone, at: show(at, zone), open, nextOpening: show(next, zone) }, null, 2)}\n`);
    return;
  }
  const lines = [`policy:  ${policy.id}: ${policy.calendar.description} (${calZone})`, `at:      ${show(at, zone)}`];
  lines.push(open ? "open:    yes" : `open:    no; opens ${show(next, zone)}`);
  process.stdout.write(lines.join("\n") + "\n");
}

export function registerSlaCommands(program: Command): void {
  const sla = program.command("sla").description("SLA due times under a support policy");
  sla
    .command("due")
    .description("every due time of a case opened at an instant (or the one --metric)")
    .requiredOption("--policy <id>", "policy id, e.g. vantiq")
    .requiredOption("--severity <s>", "severity id or any alias the policy knows: 1, S1, Sev 1, Critical, P0…")
    .option("--type <caseType>", "case type (default: the policy's default)")
    .option("--metric <metric>", "only this metric: initial-response, ongoing-response, status-update, workaround, resolution")
    .option("--environment <env>", ENVIRONMENTS.join(" | "))
    .option("--entitlement <name>", "an entitlement the organization holds, e.g. 24x7-sev1, named-contact (repeatable)", collect, [])
    .requiredOption("--at <iso>", "when the case was opened, ISO 8601 with offset, e.g. 2026-11-20T16:00:00-08:00")
    .option("--tz <zone>", "the customer's zone (calendars that follow it, e.g. CIQ) and the zone to print in")
    .option("--json", "print JSON")
    .option("--org <name>", "an organization: its contract's service levels, own hours and entitlements apply, and its contract state is shown")
    .action((opts: DueOptions, command: Command) => (opts.org ? runDueForOrg({ ...opts, org: opts.org }, command) : runDue(opts, command)));

  calendarCommand(program)
    .command("open")
    .description("is a policy's support desk open at an instant, and when does it next open")
    .requiredOption("--policy <id>", "policy id, e.g. ciq-standard")
    .requiredOption("--at <iso>", "ISO 8601 instant, e.g. 2026-11-26T10:00:00-05:00")
    .option("--tz <zone>", "the customer's zone (calendars that follow it, e.g. CIQ) and the zone to print in")
    .option("--json", "print JSON")
    .action(runOpen);
}
