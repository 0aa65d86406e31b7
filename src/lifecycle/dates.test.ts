/**
 * The seed's lifecycle rules on a worked example, every date worked out by hand here:
 *  [001] "EOMS is 1 year after EOS of this product version, but not earlier than 2 years after the start of sales
 *  of the next Major Version. Extended Support is provided for 1 year; end of Extended Support means EOL";
 *  "The whole period of support for one product version is at least 5 years unless stated otherwise".
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { tableMilestones } from "./dates.js";
import { parseLifecycleFile } from "./file.js";
import { periodOn, supportedVersions } from "./period.js";

const FILE = `
products:
  - name: Gate
    versions:
      - { version: "1.0", ga: 2018-01-10, eos: 2022-03-01 }
      - { version: "1.2", ga: 2019-05-01, eos: 2023-06-30 }
      - { version: "2.0", ga: 2022-09-15, eos: 2024-01-31 }
      - { version: "2.1", ga: 2023-02-01 }
      - { version: "3.0", ga: 2024-02-29 }
  - name: Short Life
    minimumSupportYears: 0
    versions:
      - { version: "7", ga: 2020-01-01, eos: 2020-06-30 }
`;

describe("lifecycle dates by the seed's rules", () => {
  const rows = tableMilestones(parseLifecycleFile(FILE, "gate.yaml"));
  const row = (product: string, version: string) => rows.find((r) => r.product === product && r.version === version)!;

  it("1.0: EOS 2022-03-01 + 1 year = 2023-03-01, but not earlier than GA of 2.0 (2022-09-15) + 2 years = 2024-09-15", () => {
    // GA + 4 years (the 5-year floor less 1 year of Extended Support) = 2022-01-10: earlier, so it does not bind.
    expect(row("Gate", "1.0")).toMatchObject({ eoms: "2024-09-15", eol: "2025-09-15" });
    expect(row("Gate", "1.0").why.eoms).toBe("not earlier than 2 years after GA 2022-09-15 of the next major version 2");
    expect(row("Gate", "1.0").why.eol).toBe("EOMS 2024-09-15 + 1 year of Extended Support");
  });

  it("1.2: EOS 2023-06-30 + 1 year = 2024-06-30 is earlier than 2024-09-15: the next major's rule wins again", () => {
    expect(row("Gate", "1.2")).toMatchObject({ eoms: "2024-09-15", eol: "2025-09-15" });
  });

  it("2.0: EOS 2024-01-31 + 1 year = 2025-01-31; next major 3.0 GA 2024-02-29 + 2 years = 2026-02-28; GA + 4 years = 2026-09-15: the 5-year floor wins", () => {
    expect(row("Gate", "2.0")).toMatchObject({ eoms: "2026-09-15", eol: "2027-09-15" });
    expect(row("Gate", "2.0").why.eoms).toBe("whole support period at least 5 years from GA 2022-09-15 (EOL no earlier than 2027-09-15)");
  });

  it("2.1 and 3.0: no EOS announced, so no EOMS or EOL yet, and the floor is said", () => {
    expect(row("Gate", "2.1")).toMatchObject({ eos: null, eoms: null, eol: null });
    expect(row("Gate", "2.1").why.eoms).toBe("not yet: 1 year after EOS, which is not announced; it will be no earlier than 2027-02-01");
  });

  it("a product whose life cycle states no floor: EOS 2020-06-30 + 1 year = 2021-06-30, EOL 2022-06-30", () => {
    expect(row("Short Life", "7")).toMatchObject({ eoms: "2021-06-30", eol: "2022-06-30" });
    expect(row("Short Life", "7").why.eoms).toBe("EOS 2020-06-30 + 1 year");
  });

  it("periods: mainstream before EOMS, extended from EOMS, after EOL from EOL; supported versions name their period", () => {
    const r = row("Gate", "1.0");
    expect([periodOn(r, "2024-09-14"), periodOn(r, "2024-09-15"), periodOn(r, "2025-09-14"), periodOn(r, "2025-09-15")]).toEqual(["mainstream", "extended", "extended", "after-eol"]);
    const gate = parseLifecycleFile(FILE, "gate.yaml").products[0]!;
    expect(supportedVersions(gate, "2025-10-01")).toEqual(["2.0 (mainstream support)", "2.1 (mainstream support)", "3.0 (mainstream support)"]);
    expect(supportedVersions(gate, "2025-01-01")).toEqual(["1.0 (extended support until 2025-09-15)", "1.2 (extended support until 2025-09-15)", "2.0 (mainstream support)", "2.1 (mainstream support)", "3.0 (mainstream support)"]);
  });

  it("a bad file names the file and the field", () => {
    const bad = `products:\n  - name: Gate\n    versions:\n      - { version: "1.0", ga: 2018-13-10 }\n      - { version: "1.1", ga: 2019-01-01, eol: 2024-01-01 }\n`;
    let error: unknown;
    try {
      parseLifecycleFile(bad, "gate.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toContain("gate.yaml");
    expect(message).toContain("products[0].versions[0].ga");
    expect(message).toContain("products[0].versions[1]");
  });
});
