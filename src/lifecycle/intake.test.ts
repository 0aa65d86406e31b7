/** The lifecycle intake rule on fixed instants (pure): each period, the policy's Extended Support definition, and unknowns. */
import { describe, expect, it } from "vitest";
import { parseLifecycleFile } from "./file.js";
import { lifecycleIntake, type LifecycleRequest } from "./intake.js";
import type { LifecycleRules } from "./rules.js";

const table = parseLifecycleFile(
  `products:\n  - name: Gate\n    aliases: [Gate Server]\n    versions:\n      - { version: "1.0", ga: 2018-01-10, eos: 2022-03-01 }\n      - { version: "2.0", ga: 2022-09-15 }\n`,
  "gate.yaml",
);
// 1.0: EOMS 2024-09-15 (2 years after GA of 2.0), EOL 2025-09-15.
const rules = (otherRequests: "chargeable" | "refuse"): LifecycleRules => ({
  file: "gate.yaml",
  extendedSupport: { criticalDefects: { caseTypes: ["incident"], severities: ["1"] }, vulnerabilities: { caseTypes: ["security-report"], words: ["CVE-"] } },
  otherRequests,
  noticeMonthsAhead: 6,
  table,
});
const req = (over: Partial<LifecycleRequest>): LifecycleRequest => ({ product: "Gate", version: "1.0.4", caseType: "incident", severity: "2", subject: "Slow login", text: "It is slow.", ...over });
const EXTENDED = Date.parse("2025-01-10T09:00:00Z");
const zone = "Europe/Moscow";

describe("lifecycleIntake", () => {
  it("mainstream: opens as usual", () => {
    expect(lifecycleIntake(rules("chargeable"), zone, req({}), Date.parse("2024-09-14T09:00:00Z"))).toEqual({
      outcome: "open",
      mark: { product: "Gate", version: "1.0", period: "mainstream", eoms: "2024-09-15", eol: "2025-09-15" },
    });
  });

  it("extended: a critical incident and a CVE are covered; anything else is chargeable, or refused when the policy says so", () => {
    expect(lifecycleIntake(rules("chargeable"), zone, req({ severity: "1" }), EXTENDED)?.mark.covered).toBe("critical defect");
    expect(lifecycleIntake(rules("chargeable"), zone, req({ text: "See CVE-2024-1234." }), EXTENDED)?.mark.covered).toBe('vulnerability (the request mentions "CVE-")');
    expect(lifecycleIntake(rules("chargeable"), zone, req({ severity: "1", caseType: "query" }), EXTENDED)?.mark).toMatchObject({ period: "extended", chargeable: true });
    const refused = lifecycleIntake(rules("refuse"), zone, req({}), EXTENDED);
    expect(refused).toMatchObject({ outcome: "refuse", refusal: { kind: "extended-support", detail: "Gate 1.0 is in Extended Support until 2025-09-15, which covers vulnerabilities and critical defects only" } });
  });

  it("after EOL (the day itself, in the policy's zone): refused with the date and the versions supported", () => {
    // 2025-09-14T22:00Z is already 15 September in Moscow.
    const out = lifecycleIntake(rules("chargeable"), zone, req({}), Date.parse("2025-09-14T22:00:00Z"));
    expect(out).toMatchObject({ outcome: "refuse", refusal: { kind: "end-of-life", eol: "2025-09-15", supported: ["2.0 (mainstream support)"], detail: "Gate 1.0 reached end of life on 2025-09-15" } });
  });

  it("unknown or missing product or version: opens, and says what to ask for; never refuses", () => {
    const mark = (r: Partial<LifecycleRequest>) => lifecycleIntake(rules("refuse"), zone, req(r), EXTENDED);
    expect(mark({ product: undefined })).toMatchObject({ outcome: "open", mark: { period: "unknown", unknown: { field: "product" } } });
    expect(mark({ product: "Fence" })?.mark.unknown).toEqual({ field: "product", detail: '"Fence" is not in our product list (Gate)' });
    expect(mark({ version: undefined })?.mark.unknown).toEqual({ field: "version", detail: "the request names no version of Gate" });
    expect(mark({ version: "3.1" })?.mark.unknown).toEqual({ field: "version", detail: "Gate 3.1 is not in our list of versions (1.0, 2.0)" });
    // "Product and version: Gate Server 2.0.1" names both in one field, through an alias.
    expect(mark({ product: "Gate Server 2.0.1", version: undefined })?.mark).toMatchObject({ product: "Gate", version: "2.0", period: "mainstream" });
  });
});
