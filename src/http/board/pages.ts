/**
 * The signed-in pages: each loads its data, hands it to a pure renderer and answers. Bad filter values
 * come back as the page with the reason, not an error page.
 */
import { loadDigestCases } from "../../digest/load.js";
import { buildDigest } from "../../digest/build.js";
import { AppError } from "../../errors.js";
import type { Reply } from "../server.js";
import { loadQueue, parseQueueQuery } from "./load-queue.js";
import { loadOrganizationUsage } from "./load-organizations.js";
import { breachesPage, chartsPage, organizationsPage } from "./pages/desk.js";
import { queuePage } from "./pages/queue.js";
import { caseRoutes } from "./case-routes.js";
import { page, type BoardDeps, type Session } from "./board-deps.js";
import { html } from "./html.js";
import { layout } from "./pages/layout.js";

export function boardPages(deps: BoardDeps) {
  const caseRoute = caseRoutes(deps);
  return async (path: string, q: URLSearchParams, session: Session): Promise<Reply> => {
    const zone = session.staff.timeZone ?? deps.desk.timeZone;
    const frame = { who: session.staff.email, refreshSeconds: deps.refreshSeconds };
    const now = deps.clock.now();
    try {
      if (path === "/board/") {
        const view = await loadQueue(deps.db, deps.desk.policies, parseQueueQuery(q), now);
        return page(200, queuePage({ ...view, zone }, frame));
      }
      if (path === "/board/breaches" || path === "/board/charts") {
        const loaded = await loadDigestCases(deps.db, deps.desk.policies, now);
        const data = buildDigest({ cases: loaded.cases, zone, now });
        return page(200, path === "/board/breaches" ? breachesPage(data, frame) : chartsPage(data, frame));
      }
      if (path === "/board/organizations") return page(200, organizationsPage(await loadOrganizationUsage(deps.db, deps.desk, now), frame));
      const answer = await caseRoute(path, session, zone, frame);
      if (answer) return answer;
      return page(404, layout({ ...frame, title: "Not found" }, html`<p>There is no board page at ${path}. <a href="/board/">Back to the queue.</a></p>`));
    } catch (error) {
      if (error instanceof AppError && (error.code === "E_INVALID" || error.code === "E_NOT_FOUND")) {
        return page(error.code === "E_INVALID" ? 400 : 404, layout({ ...frame, title: "Cannot show that" }, html`<p>${error.message}. <a href="/board/">Back to the queue.</a></p>`));
      }
      throw error;
    }
  };
}
