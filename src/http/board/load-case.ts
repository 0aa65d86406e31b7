/**
 * A case page's data on the shared read model (src/store/repos/case-view.ts, src/cases/case-view.ts, as
 * `case show` uses): the view, the full text of each message (the page shows the whole thread, not first
 * lines), and for the timeline the engine's metrics and the spells the case waited on the customer.
 */
import { evaluateMetrics, presentCase, type CaseView } from "../../cases/case-view.js";
import type { CaseViewData } from "../../cases/case-view-data.js";
import { policyOf } from "../../cases/case-sla.js";
import { TIMELINE_EVENT_KINDS, timelineFromEvents } from "../../cases/timeline.js";
import type { Desk } from "../../desk.js";
import { readHistory, type Interval } from "../../sla/history.js";
import type { MetricStatus } from "../../sla/types.js";
import type { Db } from "../../store/database.js";
import { requireCaseView } from "../../store/repos/case-view.js";

export interface CasePageData {
  view: CaseView;
  data: CaseViewData;
  metrics: MetricStatus[];
  waiting: Interval[];
  pausedMetrics: readonly string[];
}

export async function loadCasePage(db: Db, desk: Pick<Desk, "policies" | "timeZone" | "fromAddress">, number: number, zone: string, now: number): Promise<CasePageData> {
  const data = await requireCaseView(db, number);
  const policy = policyOf(desk.policies, data.case);
  const view = presentCase(data, { policies: desk.policies, deskZone: zone, ownAddresses: [desk.fromAddress], now });
  const kinds = new Set<string>(TIMELINE_EVENT_KINDS);
  const trail = data.events.filter((e) => kinds.has(e.kind)).map((e) => ({ kind: e.kind, at: e.at.getTime(), data: e.data }));
  return {
    view,
    data,
    metrics: evaluateMetrics(data, policy, now),
    waiting: readHistory(timelineFromEvents(trail), now).waiting,
    pausedMetrics: policy.pausedWhileWaiting,
  };
}
