import { describe, expect, it } from "vitest";
import { parseContactsCsv, validateContactRecord } from "./contact-rows.js";

describe("parseContactsCsv", () => {
  it("reads rows with their CSV line numbers and reports each bad row with its reason", () => {
    const csv = [
      "Email,Name,Organization,DTC,Timezone,Active",
      "Wile@Acme.example,Wile E.,Acme,yes,America/Los_Angeles,",
      "not-an-email,Bad,Acme,true,,",
      "",
      "road@acme.example,Road Runner,Acme,maybe,,",
      "bugs@acme.example,Bugs,Acme,no,Mars/Olympus,",
      "wile@acme.example,Wile again,Acme,1,,",
      'daffy@acme.example,"Duck, Daffy",Acme,0,,false',
    ].join("\n");
    const { rows, invalid } = parseContactsCsv(csv, "c.csv");
    expect(rows).toEqual([
      { line: 2, email: "wile@acme.example", name: "Wile E.", organization: "Acme", dtc: true, timeZone: "America/Los_Angeles", active: undefined },
      { line: 8, email: "daffy@acme.example", name: "Duck, Daffy", organization: "Acme", dtc: false, timeZone: undefined, active: false },
    ]);
    expect(invalid).toEqual([
      { line: 3, reason: '"not-an-email" is not an email address' },
      { line: 5, reason: 'dtc must be true or false (yes/no, 1/0), not "maybe"' },
      { line: 6, reason: 'unknown time zone "Mars/Olympus" (use an IANA name like Europe/Paris)' },
      { line: 7, reason: "wile@acme.example already appears on line 2" },
    ]);
  });

  it("rejects a header without the required columns, naming the file and the columns", () => {
    expect(() => parseContactsCsv("email,name\nx@y.z,X\n", "c.csv")).toThrow("c.csv: line 1: missing column(s) organization, dtc");
    expect(() => parseContactsCsv("email,name,organization,dtc,tz\n", "c.csv")).toThrow(/unknown column\(s\) tz/);
  });

  it("turns an unreadable file into a message naming the file", () => {
    expect(() => parseContactsCsv('email,name,organization,dtc\n"x@y.z,X,Acme,true\n', "c.csv")).toThrow(/^c\.csv: not a readable CSV file/);
  });

  it("treats an empty dtc as false and short rows as missing values", () => {
    expect(validateContactRecord({ email: "a@b.co", name: "A", organization: "O", dtc: "" }, 4)).toMatchObject({ dtc: false });
    expect(parseContactsCsv("email,name,organization,dtc\na@b.co,A\n", "c.csv").invalid).toEqual([{ line: 2, reason: "organization is empty" }]);
  });
});
