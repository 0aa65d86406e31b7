/**
 * Pure half of `contact import`: CSV text → validated rows plus the invalid ones with their line
 * numbers. No database here, so every rule is testable on its own; contacts-csv.ts applies the rows.
 */
import { parse } from "csv-parse/sync";
import { IANAZone } from "luxon";
import { AppError } from "../../errors.js";
import { normalizeAddress } from "../../mail/address.js";

export const CONTACT_CSV_COLUMNS = ["email", "name", "organization", "dtc", "timezone", "active"] as const;
const REQUIRED = ["email", "name", "organization", "dtc"];

export interface ContactRow {
  line: number;
  email: string;
  name: string;
  organization: string;
  dtc: boolean;
  /** undefined: column absent or empty, keep what the contact has. */
  timeZone: string | undefined;
  active: boolean | undefined;
}
export interface InvalidRow {
  line: number;
  reason: string;
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const TRUE = new Set(["true", "yes", "y", "1"]);
const FALSE = new Set(["false", "no", "n", "0"]);

export function parseContactsCsv(text: string, file: string): { rows: ContactRow[]; invalid: InvalidRow[] } {
  let records: Array<{ record: Record<string, string | undefined>; info: { lines: number } }>;
  try {
    records = parse(text, {
      columns: (header: string[]) => checkHeader(header.map((h) => h.trim().toLowerCase()), file),
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("E_CSV", `${file}: not a readable CSV file: ${error instanceof Error ? error.message : String(error)}`, undefined, {
      cause: error,
    });
  }
  const rows: ContactRow[] = [];
  const invalid: InvalidRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const result = validateContactRecord(record, info.lines);
    if ("reason" in result) {
      invalid.push(result);
    } else if (seen.has(result.email)) {
      invalid.push({ line: result.line, reason: `${result.email} already appears on line ${seen.get(result.email)}` });
    } else {
      seen.set(result.email, result.line);
      rows.push(result);
    }
  }
  return { rows, invalid };
}

function checkHeader(header: string[], file: string): string[] {
  const missing = REQUIRED.filter((c) => !header.includes(c));
  const unknown = header.filter((c) => !(CONTACT_CSV_COLUMNS as readonly string[]).includes(c));
  if (missing.length || unknown.length) {
    const parts = [
      missing.length ? `missing column(s) ${missing.join(", ")}` : "",
      unknown.length ? `unknown column(s) ${unknown.join(", ")}` : "",
    ].filter(Boolean);
    throw new AppError("E_CSV", `${file}: line 1: ${parts.join("; ")} (expected header: ${CONTACT_CSV_COLUMNS.join(",")})`);
  }
  return header;
}

/** One record (header → value) to a contact row, or the first reason it is not one. */
export function validateContactRecord(record: Record<string, string | undefined>, line: number): ContactRow | InvalidRow {
  const value = (k: string) => (record[k] ?? "").trim();
  const email = normalizeAddress(record.email);
  if (!email) return { line, reason: "email is empty" };
  if (!EMAIL.test(email)) return { line, reason: `"${value("email")}" is not an email address` };
  if (!value("name")) return { line, reason: "name is empty" };
  if (!value("organization")) return { line, reason: "organization is empty" };
  const dtc = parseFlag(value("dtc"), false);
  if (dtc === null) return { line, reason: `dtc must be true or false (yes/no, 1/0), not "${value("dtc")}"` };
  const active = value("active") ? parseFlag(value("active"), true) : undefined;
  if (active === null) return { line, reason: `active must be true or false (yes/no, 1/0), not "${value("active")}"` };
  const timeZone = value("timezone") || undefined;
  if (timeZone && !IANAZone.isValidZone(timeZone)) return { line, reason: `unknown time zone "${timeZone}" (use an IANA name like Europe/Paris)` };
  return { line, email, name: value("name"), organization: value("organization"), dtc, timeZone, active };
}

function parseFlag(raw: string, empty: boolean): boolean | null {
  const v = raw.toLowerCase();
  if (v === "") return empty;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return null;
}
