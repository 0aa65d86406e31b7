import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../policy/load.js";
import type { CaseViewData } from "./case-view-data.js";
import { firstLines, presentCase } from "./case-view.js";

const policies = loadBundledPolicies();
const t = (iso: string) => new Date(iso);
const event = (id: number, at: string, kind: string, data: Record<string, unknown> = {}, actor = "system") => ({ id, at: t(at), actor, kind, data });

/**
 * Konneqt Basic P2, opened Mon 9 Nov 2026 09:00 GMT-3 (12:00Z): [003] Basic "P2 4 hour" to respond and "24 hours"
 * to a workaround, in 08:00–20:00 GMT-3 business hours. The first answer comes at 15:00 GMT-3 (6 business hours:
 * late), then the case waits on the customer, which stops the workaround clock.
 */
function konneqtCase(): CaseViewData {
  return {
    case: {
      id: 1, number: 7, subject: "Sync stalls", status: "waiting", caseType: "incident", severity: "P2", severitySource: "field",
      severityReason: "Severity: P2 in the template", policyId: "konneqt-basic", missingFields: [], openedAt: t("2026-11-09T12:00:00Z"),
    },
    organization: { id: 3, name: "Sertao", timeZone: "America/Sao_Paulo", entitlements: [], closedDates: [], contract: null, agreement: null },
    requester: { id: 5, name: "Lucas Prado", email: "lucas@sertao.example", timeZone: null, dtc: true },
    assignee: { id: 2, name: "Alice", email: "alice@vendor.example", active: true },
    events: [
      event(1, "2026-11-09T12:00:00Z", "opened", { caseType: "incident", severity: "P2" }, "lucas@sertao.example"),
      event(2, "2026-11-09T12:00:00Z", "acknowledged"),
      event(3, "2026-11-09T13:00:00Z", "assigned", { assigneeId: 2, email: "alice@vendor.example" }, "alice@vendor.example"),
      event(4, "2026-11-09T18:00:00Z", "staff-replied", { public: true }, "alice@vendor.example"),
      event(5, "2026-11-09T18:00:00Z", "status-changed", { status: "waiting", from: "open" }, "alice@vendor.example"),
      event(6, "2026-11-09T18:05:00Z", "time-recorded", { minutes: 90, counts: true, note: "reading logs" }, "alice@vendor.example"),
    ],
    received: [
      {
        id: 11, from: "lucas@sertao.example", to: ["support@vendor.example"], cc: ["ana@sertao.example", "support@vendor.example"], subject: "Sync stalls",
        text: "\nSeverity: P2\n\n> old quoted line\nThe sync stalls every night at 02:00.\nLogs attached.\nMore detail\nEven more", receivedAt: t("2026-11-09T12:00:00Z"),
        attachments: [{ id: 21, filename: "heap.hprof", contentType: "application/octet-stream", size: 3 * 1024 * 1024, sha256: "ab", stored: false }],
      },
    ],
    sent: [
      { id: 31, kind: "acknowledgment", from: "support@vendor.example", to: ["lucas@sertao.example"], cc: [], subject: "[Case #7] Sync stalls", text: "Dear Lucas,\nWe received your request.", state: "sent", queuedAt: t("2026-11-09T12:00:00Z"), sentAt: t("2026-11-09T12:00:05Z"), attachments: [] },
    ],
  };
}

describe("presentCase", () => {
  const ctx = { policies, deskZone: "America/Los_Angeles", ownAddresses: ["support@vendor.example"], now: Date.parse("2026-11-10T12:00:00Z") };

  it("gives each metric its due time in both zones and the state a person reads: a late response is breached, the waiting workaround paused", () => {
    const view = presentCase(konneqtCase(), ctx);
    expect(view.zones).toEqual({ desk: "America/Los_Angeles", customer: "America/Sao_Paulo" });
    const response = view.sla.find((m) => m.metric === "initial-response")!;
    // 09:00 + 4 business hours = 13:00 GMT-3 = 16:00Z; answered 15:00 GMT-3.
    expect(response).toMatchObject({ state: "breached", metLate: true, dueAt: "2026-11-09T16:00:00.000Z", metAt: "2026-11-09T18:00:00.000Z", target: "4 hours" });
    expect(response.due).toEqual({ desk: "Mon 9 Nov 2026, 08:00 PST", customer: "Mon 9 Nov 2026, 13:00 GMT-3" });
    expect(view.sla.find((m) => m.metric === "workaround")).toMatchObject({ state: "paused", metLate: false, metAt: null });
    expect(view.breached).toBe(true);
  });

  it("names the severity and why, the people on the case, the thread in order with first lines, attachments and time", () => {
    const view = presentCase(konneqtCase(), ctx);
    expect(view.severity).toEqual({ id: "P2", name: "P2 – High", source: "field", reason: "Severity: P2 in the template" });
    expect(view.participants).toEqual([
      { email: "lucas@sertao.example", role: "requester" },
      { email: "ana@sertao.example", role: "cc" },
      { email: "alice@vendor.example", role: "acted" },
    ]);
    expect(view.thread.map((e) => [e.direction, e.author, e.kind])).toEqual([
      ["received", "lucas@sertao.example", null],
      ["sent", "support@vendor.example", "acknowledgment"],
    ]);
    expect(view.thread[0]!.firstLines).toEqual(["Severity: P2", "The sync stalls every night at 02:00.", "Logs attached."]);
    expect(view.attachments).toEqual([expect.objectContaining({ id: 21, messageId: 11, sizeText: "3.0 MB", stored: false })]);
    expect(view.timeEntries).toEqual([{ at: "2026-11-09T18:05:00.000Z", actor: "alice@vendor.example", minutes: 90, counts: true, note: "reading logs" }]);
    expect(view.events).toHaveLength(6);
  });

  it("first lines skip blank and quoted lines and cut long ones", () => {
    expect(firstLines(`\n> quoted\n${"x".repeat(150)}\nb`, 3, 10)).toEqual(["xxxxxxxxx…", "b"]);
  });
});
