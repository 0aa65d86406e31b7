import { describe, expect, it } from "vitest";
import { loadBundledPolicies } from "../policy/load.js";
import { parseCommands, type CommandContext } from "./commands.js";

const policies = loadBundledPolicies();
const staff = [
  { id: 7, email: "alice@vendor.example", active: true },
  { id: 8, email: "bob@vendor.example", active: false },
];
const vantiq: CommandContext = { policy: policies.get("vantiq")!, staff };
const konneqt: CommandContext = { policy: policies.get("konneqt-enterprise")!, staff };

describe("parseCommands: accepted commands", () => {
  it.each([
    ["#severity 2", vantiq, { kind: "severity", severity: "2" }],
    ["#severity critical", vantiq, { kind: "severity", severity: "1" }],
    ["#Severity Sev-3", vantiq, { kind: "severity", severity: "3" }],
    ["#severity P1", konneqt, { kind: "severity", severity: "P1" }],
    ["#type query", konneqt, { kind: "type", caseType: "query" }],
    ["#type Service Request", konneqt, { kind: "type", caseType: "service-request" }],
    ["#status waiting", vantiq, { kind: "status", status: "waiting" }],
    ["#STATUS Resolved", vantiq, { kind: "status", status: "resolved" }],
    ["#assign alice@vendor.example", vantiq, { kind: "assign", staffId: 7, email: "alice@vendor.example" }],
    ["#assign <Alice@Vendor.example>", vantiq, { kind: "assign", staffId: 7, email: "alice@vendor.example" }],
    ["#assign me", { ...vantiq, self: "Alice@vendor.example" }, { kind: "assign", staffId: 7, email: "alice@vendor.example" }],
    ["#assign ME", { ...vantiq, self: "alice@vendor.example" }, { kind: "assign", staffId: 7, email: "alice@vendor.example" }],
    ["#workaround", vantiq, { kind: "workaround" }],
    ["#comment", vantiq, { kind: "comment" }],
  ] as const)("%s", (line, ctx, expected) => {
    const parsed = parseCommands(`${line}\nHello`, ctx);
    expect(parsed.errors).toEqual([]);
    expect(parsed.commands).toEqual([{ ...expected, line: 1 }]);
    expect(parsed.body).toBe("Hello");
  });
});

describe("parseCommands: rejected lines name the line and the reason", () => {
  it.each([
    ["#bogus", vantiq, /unknown command #bogus/],
    ["#severity 9", vantiq, /"9" is not a severity.*1, 2, 3, 4/],
    ["#severity", vantiq, /needs a value/],
    ["#type query", vantiq, /"query" is not a case type.*incident/],
    ["#status pending", vantiq, /#status needs one of open, waiting, resolved, closed/],
    ["#assign mallory@vendor.example", vantiq, /mallory@vendor.example is not an active staff member/],
    ["#assign bob@vendor.example", vantiq, /bob@vendor.example is not an active staff member/],
    ["#workaround now", vantiq, /takes no value/],
    ["#assign me", vantiq, /#assign me needs a staff member as the sender/],
    ["#assign me", { ...vantiq, self: "bob@vendor.example" }, /bob@vendor.example is not an active staff member/],
  ] as const)("%s", (line, ctx, reason) => {
    const parsed = parseCommands(`#status waiting\n${line}\nText`, ctx);
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({ line: 2, text: line });
    expect(parsed.errors[0]!.reason).toMatch(reason);
  });

  it("applies nothing when one of several lines is bad, and reports every bad line", () => {
    const parsed = parseCommands("#severity 1\n#bogus\n#status later\nWe need logs", vantiq);
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(parsed.body).toBe("We need logs");
  });

  it("refuses the same command twice", () => {
    const parsed = parseCommands("#status waiting\n#status open\n", vantiq);
    expect(parsed.errors).toEqual([{ line: 2, text: "#status open", reason: "#status is already given on line 1; keep one" }]);
  });
});

describe("parseCommands: where commands are read", () => {
  it("reads commands only before the first line of other text", () => {
    const parsed = parseCommands("#severity 1\n#status waiting\nWe need logs.\n#status resolved\n", vantiq);
    expect(parsed.commands.map((c) => c.kind)).toEqual(["severity", "status"]);
    expect(parsed.body).toBe("We need logs.\n#status resolved\n");
  });

  it("skips blank lines around the commands and keeps the rest as written", () => {
    const text = "\n#severity 1\r\n\r\n#workaround\n\nHi Jane,\n\n> quoted line\n";
    const parsed = parseCommands(text, vantiq);
    expect(parsed.commands).toEqual([
      { kind: "severity", severity: "1", line: 2 },
      { kind: "workaround", line: 4 },
    ]);
    expect(parsed.body).toBe("Hi Jane,\n\n> quoted line\n");
  });

  it.each([["# Summary\nText"], ["#1 priority is the outage"], ["Hello\n#severity 1"], [""]])("leaves %j untouched", (text) => {
    expect(parseCommands(text, vantiq)).toEqual({ commands: [], body: text, errors: [] });
  });
});
