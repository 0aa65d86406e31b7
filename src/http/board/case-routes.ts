/**
 * /board/case/N and /board/case/N/attachment/ID. A download is always a download: Content-Disposition
 * attachment with a filename reduced to safe characters, Content-Type application/octet-stream (the sender's
 * declared type is never trusted by the browser), nosniff, no-store.
 */
import { AppError } from "../../errors.js";
import { getCaseAttachment } from "../../store/repos/case-view.js";
import { requireCaseByNumber } from "../../store/repos/cases.js";
import type { Reply } from "../server.js";
import { loadCasePage } from "./load-case.js";
import type { Frame } from "./pages/layout.js";
import { casePage } from "./pages/case.js";
import { page, type BoardDeps, type Session } from "./board-deps.js";

export function caseRoutes(deps: BoardDeps) {
  return async (path: string, _session: Session, zone: string, frame: Omit<Frame, "title">): Promise<Reply | null> => {
    const download = /^\/board\/case\/(\d+)\/attachment\/(\d+)$/.exec(path);
    if (download) return attachment(deps, Number(download[1]), Number(download[2]));
    const show = /^\/board\/case\/(\d+)$/.exec(path);
    if (!show) return null;
    const now = deps.clock.now();
    return page(200, casePage(await loadCasePage(deps.db, deps.desk, Number(show[1]), zone, now), now, frame));
  };
}

async function attachment(deps: BoardDeps, number: number, id: number): Promise<Reply> {
  const c = await requireCaseByNumber(deps.db, number);
  const found = await getCaseAttachment(deps.db, c.id, id);
  if (!found) throw new AppError("E_NOT_FOUND", `case #${number} has no attachment ${id}`);
  if (!found.content) throw new AppError("E_NOT_FOUND", `attachment ${id} of case #${number} (${found.filename}) was deleted by the retention rule; its name, size and sha256 stay on the case`);
  return {
    status: 200,
    contentType: "application/octet-stream",
    body: found.content,
    headers: { "content-disposition": contentDisposition(found.filename), "content-length": String(found.content.byteLength) },
  };
}

/** `attachment; filename="safe.txt"; filename*=UTF-8''…`: the ASCII name keeps letters, digits, dot, dash, underscore. */
export function contentDisposition(filename: string): string {
  const base = filename.replace(/^.*[\\/]/, "");
  const ascii = base.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "").slice(0, 150) || "attachment";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base.slice(0, 150)).replace(/['()*]/g, (ch) => "%" + ch.charCodeAt(0).toString(16).toUpperCase())}`;
}
