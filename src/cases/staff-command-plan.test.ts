import { describe, expect, it } from "vitest";
import type { CaseCommand } from "./commands.js";
import { planCommands, type CommandTarget } from "./staff-command-plan.js";

const caseRow: CommandTarget = {
  status: "open",
  severity: "3",
  caseType: "incident",
  assigneeId: 7,
};

describe("planCommands", () => {
  it("changes the row and records each change, the status apart (it goes after the reply)", () => {
    const commands: CaseCommand[] = [
      { kind: "severity", severity: "1", line: 1 },
      { kind: "type", caseType: "query", line: 2 },
      { kind: "assign", staffId: 8, email: "bob@vendor.example", line: 3 },
      { kind: "workaround", line: 4 },
      { kind: "status", status: "waiting", line: 5 },
    ];
    expect(planCommands(caseRow, commands, "alice@vendor.example")).toEqual({
      patch: { severity: "1", severitySource: "staff", severityReason: "set by alice@vendor.example", caseType: "query", assigneeId: 8, status: "waiting" },
      events: [
        { kind: "severity-changed", data: { severity: "1", from: "3" } },
        { kind: "type-changed", data: { caseType: "query", from: "incident" } },
        { kind: "assigned", data: { assigneeId: 8, email: "bob@vendor.example" } },
        { kind: "workaround-provided", data: {} },
      ],
      status: { from: "open", to: "waiting" },
      comment: false,
    });
  });

  it("records nothing for a command that changes nothing", () => {
    const commands: CaseCommand[] = [
      { kind: "severity", severity: "3", line: 1 },
      { kind: "status", status: "open", line: 2 },
      { kind: "assign", staffId: 7, email: "alice@vendor.example", line: 3 },
      { kind: "comment", line: 4 },
    ];
    expect(planCommands(caseRow, commands, "alice@vendor.example")).toEqual({ patch: {}, events: [], status: null, comment: true });
  });
});
