/**
 * A realistic stretch of desk history replayed as it would happen, for the digest's rollup test and bench:
 * cases of three bundled policies (one following the customer's zone, organizations with their own closed
 * days) opened over seven weeks, each event appended and the case's SLA refreshed at its instant, the
 * scheduler ticking every six hours between. Random timelines (harness/sla/sample-timelines.ts) plus named
 * ones: a first response met late, a case paused while waiting on the customer, a case resolved and reopened,
 * one resolved with its first response missed,
 * and a Konneqt case whose first response falls due just after Thanksgiving (the holiday edge).
 */
import { eq } from "drizzle-orm";
import type { Instant } from "../../src/calendar/types.js";
import type { Desk } from "../../src/desk.js";
import { ManualClock } from "../../src/clock/clock.js";
import { createTemplateRenderer } from "../../src/outbox/templates.js";
import { loadBundledPolicies } from "../../src/policy/load.js";
import { refreshCaseSla } from "../../src/scheduler/case-sla.js";
import { schedulerTick } from "../../src/scheduler/tick.js";
import type { TimelineEvent } from "../../src/sla/types.js";
import type { Db } from "../../src/store/database.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { createCase } from "../../src/store/repos/cases.js";
import { appendEvent } from "../../src/store/repos/events.js";
import { createOrganization } from "../../src/store/repos/organizations.js";
import { createStaff } from "../../src/store/repos/staff.js";
import { cases } from "../../src/store/schema/index.js";
import { prng } from "../prng.js";
import { sampleTimeline } from "../sla/sample-timelines.js";
import { SUPPORT } from "../support-address.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const HISTORY_FROM = Date.parse("2026-10-20T00:00:00Z");
export const HISTORY_TO = Date.parse("2026-12-09T14:00:00Z");

export function historyDesk(): Desk {
  return {
    policies: loadBundledPolicies(),
    templates: createTemplateRenderer(),
    fromAddress: SUPPORT,
    supportDomain: "vendor.example",
    caseTokenFormat: "[Case #{number}]",
    timeZone: "UTC",
  };
}

interface PlannedCase {
  name?: string;
  org: number;
  timeline: TimelineEvent[];
}

const ORGS = [
  { name: "Konneqt Customer", policyId: "konneqt-enterprise", timeZone: null, closedDates: [] as string[], contactZone: null },
  { name: "Vantiq Customer", policyId: "vantiq", timeZone: null, closedDates: ["2026-11-27"], contactZone: null },
  { name: "CIQ Customer East", policyId: "ciq-standard", timeZone: "America/New_York", closedDates: [], contactZone: "America/Chicago" },
  { name: "CIQ Customer West", policyId: "ciq-standard", timeZone: "America/Los_Angeles", closedDates: [], contactZone: null },
];

/** Named cases first (their numbers are 1..6), then `random` sampled ones, all within the history. */
export function plannedCases(desk: Desk, random: number, seed = 18): PlannedCase[] {
  const at = (iso: string) => Date.parse(iso);
  const named: PlannedCase[] = [
    { name: "met late", org: 0, timeline: [
      { kind: "opened", at: at("2026-12-08T15:00:00Z"), caseType: "incident", severity: "P2", environment: "production" },
      { kind: "acknowledged", at: at("2026-12-08T15:00:01Z") },
      { kind: "staff-replied", at: at("2026-12-08T20:00:00Z"), public: true },
    ] },
    { name: "paused", org: 1, timeline: [
      { kind: "opened", at: at("2026-12-01T17:00:00Z"), caseType: "incident", severity: "3", environment: "production" },
      { kind: "acknowledged", at: at("2026-12-01T17:00:01Z") },
      { kind: "status-changed", at: at("2026-12-01T18:00:00Z"), status: "waiting" },
      { kind: "customer-replied", at: at("2026-12-04T16:00:00Z") },
      { kind: "status-changed", at: at("2026-12-04T16:00:01Z"), status: "open" },
    ] },
    { name: "reopened", org: 2, timeline: [
      { kind: "opened", at: at("2026-11-30T14:00:00Z"), caseType: "incident", severity: "2", environment: "production" },
      { kind: "acknowledged", at: at("2026-11-30T14:00:01Z") },
      { kind: "staff-replied", at: at("2026-11-30T15:00:00Z"), public: true },
      { kind: "status-changed", at: at("2026-12-01T15:00:00Z"), status: "resolved" },
      { kind: "customer-replied", at: at("2026-12-03T15:00:00Z") },
      { kind: "status-changed", at: at("2026-12-03T15:00:01Z"), status: "open" },
    ] },
    { name: "resolved unanswered", org: 0, timeline: [
      { kind: "opened", at: at("2026-12-08T14:30:00Z"), caseType: "incident", severity: "P2", environment: "production" },
      { kind: "acknowledged", at: at("2026-12-08T14:30:01Z") },
      { kind: "status-changed", at: at("2026-12-08T18:00:00Z"), status: "resolved" },
    ] },
    // Wednesday 16:30 New York, the day before Thanksgiving: the first response's clock stops over the holiday.
    { name: "holiday edge", org: 0, timeline: [
      { kind: "opened", at: at("2026-11-25T21:30:00Z"), caseType: "incident", severity: "P2", environment: "production" },
      { kind: "acknowledged", at: at("2026-11-25T21:30:01Z") },
    ] },
  ];
  const rnd = prng(seed);
  const randomCases: PlannedCase[] = [];
  for (let i = 0; i < random; i++) {
    const org = i % ORGS.length;
    const { timeline } = sampleTimeline(desk.policies.get(ORGS[org]!.policyId)!, rnd, 10);
    const shift = HISTORY_FROM + Math.floor(rnd() * (HISTORY_TO - HISTORY_FROM - 2 * DAY)) - timeline[0]!.at;
    randomCases.push({ org, timeline: timeline.map((e) => ({ ...e, at: e.at + shift })).filter((e) => e.at <= HISTORY_TO) });
  }
  return [...named, ...randomCases];
}

function stored(e: TimelineEvent): { kind: string; data: Record<string, unknown> } {
  switch (e.kind) {
    case "opened":
      return { kind: "opened", data: { caseType: e.caseType, severity: e.severity, environment: e.environment ?? null } };
    case "staff-replied":
      return { kind: "staff-replied", data: { public: e.public } };
    case "status-changed":
      return { kind: "status-changed", data: { status: e.status } };
    case "severity-changed":
      return { kind: "severity-changed", data: { severity: e.severity } };
    case "contact-reachability":
      return { kind: e.reachable ? "contact-reachable" : "contact-unreachable", data: {} };
    default:
      return { kind: e.kind, data: {} };
  }
}

export interface LiveHistory {
  /** Case ids of the named cases (once opened), by name. */
  named: Map<string, number>;
  /** Replays every event up to `t` (ticking on the way) and leaves the clock at `t`. */
  advanceTo(t: Instant): Promise<void>;
}

/**
 * The planned cases' organizations, contacts and staff in `db`, then their events replayed as time advances:
 * each appended with its case's SLA refreshed in the same transaction; the scheduler ticks every six hours.
 */
export async function startHistory(db: Db, desk: Desk, clock: ManualClock, planned: PlannedCase[]): Promise<LiveHistory> {
  const orgIds: number[] = [];
  const contactIds: number[] = [];
  for (const o of ORGS) {
    const org = await createOrganization(db, { name: o.name, policyId: o.policyId, timeZone: o.timeZone, closedDates: o.closedDates });
    orgIds.push(org.id);
    const slug = o.name.toLowerCase().replace(/[^a-z]+/g, "-");
    contactIds.push((await createContact(db, { email: `dtc@${slug}.example`, name: `DTC ${o.name}`, organizationId: org.id, dtc: true, timeZone: o.contactZone })).id);
  }
  await createStaff(db, { email: "eng@vendor.example", name: "Eng", role: "engineer", timeZone: "America/New_York" });
  await createStaff(db, { email: "mgr@vendor.example", name: "Mgr", role: "manager", timeZone: "America/New_York" });
  const queue = planned.flatMap((p, index) => p.timeline.map((e) => ({ index, e }))).sort((a, b) => a.e.at - b.e.at || a.index - b.index);
  const ids = new Map<number, number>();
  const named = new Map<string, number>();
  let next = 0;
  let nextTick = Math.min(...queue.map((q) => q.e.at)) + 6 * HOUR;
  const silent = { info: () => {}, error: (o: object) => console.error(o) };
  const tickUntil = async (t: Instant) => {
    for (; nextTick <= t; nextTick += 6 * HOUR) {
      clock.set(nextTick);
      await schedulerTick({ db, desk, clock, logger: silent });
    }
  };
  const apply = async (index: number, e: TimelineEvent) => {
    const p = planned[index]!;
    await db.transaction(async (tx) => {
      let id = ids.get(index);
      if (id === undefined) {
        if (e.kind !== "opened") throw new Error(`history: case ${index} starts with ${e.kind}`);
        const c = await createCase(tx, {
          organizationId: orgIds[p.org]!, requesterId: contactIds[p.org]!, subject: `${p.name ?? "Case"} ${index}`, caseType: e.caseType,
          severity: e.severity, severitySource: "field", status: "open", policyId: ORGS[p.org]!.policyId, openedAt: new Date(e.at), updatedAt: new Date(e.at),
        });
        id = c.id;
        ids.set(index, id);
        if (p.name) named.set(p.name, id);
      }
      const { kind, data } = stored(e);
      await appendEvent(tx, { caseId: id, at: new Date(e.at), actor: "system", kind, data });
      if (e.kind === "status-changed") await tx.update(cases).set({ status: e.status, updatedAt: new Date(e.at) }).where(eq(cases.id, id));
      if (e.kind === "severity-changed") await tx.update(cases).set({ severity: e.severity, updatedAt: new Date(e.at) }).where(eq(cases.id, id));
      await refreshCaseSla(tx, desk, id, e.at);
    });
  };
  return {
    named,
    async advanceTo(t) {
      for (; next < queue.length && queue[next]!.e.at <= t; next++) {
        const { index, e } = queue[next]!;
        await tickUntil(e.at);
        clock.set(e.at);
        await apply(index, e);
      }
      await tickUntil(t);
      clock.set(t);
    },
  };
}
