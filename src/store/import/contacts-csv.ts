/**
 * `contact import`: applies validated CSV rows in one transaction. Idempotent: a row equal to the
 * stored contact counts as unchanged; a row naming an unknown organization is reported invalid
 * without stopping the others.
 */
import type { Db } from "../database.js";
import { getOrganizationByName, type Organization } from "../repos/organizations.js";
import { upsertContact } from "../repos/contacts.js";
import { parseContactsCsv, type InvalidRow } from "./contact-rows.js";

export interface ContactImportReport {
  created: number;
  updated: number;
  unchanged: number;
  invalid: InvalidRow[];
}

export async function importContactsCsv(db: Db, text: string, file: string): Promise<ContactImportReport> {
  const { rows, invalid } = parseContactsCsv(text, file);
  const report: ContactImportReport = { created: 0, updated: 0, unchanged: 0, invalid: [...invalid] };
  await db.transaction(async (tx) => {
    const orgs = new Map<string, Organization | undefined>();
    for (const row of rows) {
      if (!orgs.has(row.organization)) orgs.set(row.organization, await getOrganizationByName(tx, row.organization));
      const org = orgs.get(row.organization);
      if (!org) {
        report.invalid.push({ line: row.line, reason: `unknown organization "${row.organization}"` });
        continue;
      }
      const { outcome } = await upsertContact(tx, {
        email: row.email,
        name: row.name,
        organizationId: org.id,
        dtc: row.dtc,
        active: row.active,
        timeZone: row.timeZone,
      });
      report[outcome] += 1;
    }
  });
  report.invalid.sort((a, b) => a.line - b.line);
  return report;
}

export function formatImportReport(report: ContactImportReport, file: string): string {
  const lines = [
    `${file}: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.invalid.length} invalid`,
    ...report.invalid.map((i) => `  line ${i.line}: ${i.reason}`),
  ];
  return lines.join("\n") + "\n";
}
