import { describe, expect, it } from "vitest";
import { assignPseudonyms, customerAddresses, eraserFor, nameFromAddress, retentionSchedule, type RetentionOrg } from "./personal-data-plan.js";

const org = (o: Partial<RetentionOrg>): RetentionOrg => ({
  id: 1,
  name: "Tyrell",
  contractStart: "2025-04-01",
  contractEnd: "2026-03-31",
  zone: "UTC-3",
  piiDays: 90,
  portalDays: 90,
  erasedAt: null,
  erasureStarted: false,
  ...o,
});
const at = (iso: string) => Date.parse(iso);

describe("retentionSchedule", () => {
  // The contract's last day is 31 Mar: it terminates at 1 Apr 00:00 GMT-3 = 03:00Z; 90 days later is 30 Jun 03:00Z.
  const DUE = at("2026-06-30T03:00:00Z");
  it.each([
    ["a minute before the 90 days are up", org({}), DUE - 60_000, "retained", DUE],
    ["at the instant", org({}), DUE, "due", DUE],
    ["erased already", org({ erasedAt: DUE + 1 }), DUE + 3_600_000, "erased", DUE],
    ["a policy with no retention period keeps the data", org({ piiDays: undefined, portalDays: undefined }), DUE * 2, "kept", null],
    ["an open-ended contract never comes due", org({ contractEnd: null }), DUE * 2, "open-ended", null],
    ["the shorter of PII and portal days applies", org({ portalDays: 30 }), at("2026-05-01T03:00:00Z"), "due", at("2026-05-01T03:00:00Z")],
  ])("%s", (_what, o, now, state, dueAt) => {
    expect(retentionSchedule([o], now)[0]).toMatchObject({ state, dueAt });
  });
});

describe("pseudonyms and the eraser", () => {
  const people = assignPseudonyms(7, [
    { address: "lucas@tyrell.example", name: "Lucas Souza" },
    { address: "ana.lima@tyrell.example", name: "Ana Lima" },
    { address: "lucas@tyrell.example", name: "Lucas Souza" },
    { address: "person-3-1@erased.invalid", name: "Erased person 1" },
  ]);

  it("numbers each person once and skips what is already a pseudonym", () => {
    expect(people.map((p) => [p.personNo, p.pseudonymAddress, p.pseudonymName])).toEqual([
      [1, "person-7-1@erased.invalid", "Erased person 1"],
      [2, "person-7-2@erased.invalid", "Erased person 2"],
    ]);
  });

  it("replaces addresses (any case), full names and capitalised name parts, not staff names or longer addresses", () => {
    const e = eraserFor(people, ["Alice", "Lima"]);
    expect(e.text("From LUCAS@Tyrell.example, cc ana.lima@tyrell.example; not mlucas@tyrell.example or lucas@tyrell.example.org."))
      .toBe("From person-7-1@erased.invalid, cc person-7-2@erased.invalid; not mlucas@tyrell.example or lucas@tyrell.example.org.");
    expect(e.text("Lucas  Souza wrote. Thanks, Lucas. Ana and Lima and Alice; lucas lowercase stays")).toBe(
      "Erased person 1 wrote. Thanks, Erased person 1. Erased person 2 and Lima and Alice; lucas lowercase stays",
    );
    expect(e.json({ to: ["lucas@tyrell.example"], note: { by: "Ana Lima" }, n: 3 })).toEqual({ to: ["person-7-1@erased.invalid"], note: { by: "Erased person 2" }, n: 3 });
    expect(e.text(e.text("Lucas Souza <lucas@tyrell.example>"))).toBe(e.text("Lucas Souza <lucas@tyrell.example>"));
  });

  it("tells the customer's addresses from ours", () => {
    expect(customerAddresses(["Lucas@Tyrell.example", "alice@vendor.example", "support@vendor.example", "other@vendor.example", "person-1-1@erased.invalid", "x"], { addresses: ["alice@vendor.example", "support@vendor.example"] })).toEqual(["lucas@tyrell.example"]);
  });

  it("guesses a name from first.last addresses only", () => {
    expect([nameFromAddress("ana.lima@x.example"), nameFromAddress("jean-luc_picard@x.example"), nameFromAddress("info@x.example"), nameFromAddress("j.2@x.example")]).toEqual(["Ana Lima", "Jean Luc Picard", null, null]);
  });
});
