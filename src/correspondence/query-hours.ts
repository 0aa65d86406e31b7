/**
 * The shell around the query-hours rule (src/entitlements/query-hours.ts): an organization's usage read from
 * the time its staff recorded, and the notices at 80% and 100% of the limit queued to its DTCs and our
 * managers in the caller's transaction. The idempotency key names the organization, the case type, the
 * period and the threshold, so each notice goes out once per period however often time is recorded after.
 */
import type { Desk } from "../desk.js";
import { queryHourLimits, queryHoursUsage, thresholdsReached, type QueryHoursUsage } from "../entitlements/query-hours.js";
import { usagePeriodAt } from "../entitlements/usage-period.js";
import { formatHours, formatMinutes } from "../cases/time-entry.js";
import { messageIdFor, standardHeaders, type OutgoingKind } from "../outbox/headers.js";
import { enqueue } from "../outbox/queue.js";
import type { Db } from "../store/database.js";
import type { Case } from "../store/repos/cases.js";
import { getOrganization, type Organization } from "../store/repos/organizations.js";
import { listTimeEntries, queryHourAudience } from "../store/repos/time-entries.js";
import { AppError } from "../errors.js";
import { organizationZone } from "../entitlements/organization.js";

/** Usage of each limited case type in the period containing `now`; [] when the policy sets no limit. */
export async function loadQueryHours(db: Db, desk: Pick<Desk, "policies">, org: Organization, now: number): Promise<QueryHoursUsage[]> {
  const policy = desk.policies.get(org.policyId);
  if (!policy) return [];
  const limits = queryHourLimits(policy, org.agreement);
  if (limits.length === 0) return [];
  const period = usagePeriodAt({ contractStart: org.contractStart, createdAt: org.createdAt.getTime(), zone: organizationZone(policy, org) }, now);
  const entries = await listTimeEntries(db, [org.id], new Date(period.start), new Date(period.end));
  return limits.map((l) => queryHoursUsage(l, period, entries));
}

/** After time is recorded on a case: the notices its organization is owed now (none twice). */
export async function queueQueryHourNotices(tx: Db, desk: Desk, caseRow: Case, now: number): Promise<OutgoingKind[]> {
  const org = await getOrganization(tx, caseRow.organizationId);
  if (!org) throw new AppError("E_NOT_FOUND", `no organization with id ${caseRow.organizationId} for case #${caseRow.number}`);
  const usages = (await loadQueryHours(tx, desk, org, now)).filter((u) => u.caseType === caseRow.caseType);
  const queued: OutgoingKind[] = [];
  for (const usage of usages) {
    // The highest threshold reached: time that jumps past 80% and 100% at once sends the 100% notice alone.
    const threshold = thresholdsReached(usage).at(-1);
    if (threshold === undefined) continue;
    const audience = await queryHourAudience(tx, org.id);
    if (audience.dtcs.length + audience.managers.length === 0) continue;
    const key = `org:${org.id}:query-hours:${usage.caseType}:${usage.period.start}:${threshold}`;
    if (await enqueue(tx, notice(desk, org, usage, threshold, audience, key), now)) queued.push("query-hours-notice");
  }
  return queued;
}

function notice(desk: Desk, org: Organization, usage: QueryHoursUsage, threshold: number, audience: { dtcs: string[]; managers: string[] }, key: string) {
  const to = audience.dtcs.length ? audience.dtcs : audience.managers;
  const cc = audience.dtcs.length ? audience.managers : [];
  const over = threshold >= 1;
  const body = desk.templates.render("query-hours-notice", {
    organizationName: org.name,
    caseTypeName: usage.caseType === "query" ? "Query" : usage.caseType,
    limitHours: usage.hours,
    usedHours: formatHours(usage.usedMinutes),
    leftHours: formatHours(Math.max(0, usage.leftMinutes)),
    percent: Math.round(threshold * 100),
    periodLabel: usage.period.label,
    over,
    refuse: usage.enforce === "refuse",
    entries: usage.entries.map((e) => ({ ...e, when: new Date(e.at).toISOString().slice(0, 16).replace("T", " "), time: formatMinutes(e.minutes) })),
    supportAddress: desk.fromAddress,
  });
  const subject = over
    ? `${org.name}: Query Support Limit reached (${formatHours(usage.usedMinutes)} of ${usage.hours} hours)`
    : `${org.name}: ${Math.round(threshold * 100)}% of the Query Support Limit used (${formatHours(usage.usedMinutes)} of ${usage.hours} hours)`;
  return {
    idempotencyKey: key,
    kind: "query-hours-notice",
    caseId: null,
    from: desk.fromAddress,
    to,
    cc,
    replyTo: desk.fromAddress,
    subject,
    messageId: messageIdFor(key, desk.supportDomain),
    headers: { ...standardHeaders("query-hours-notice", desk.fromAddress) },
    text: body.text,
    html: body.html,
  };
}
