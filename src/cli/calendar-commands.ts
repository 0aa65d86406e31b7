/**
 * `support-inbox calendar …`: look at business calendars from the command line.
 * `calendar holidays --set NAME --year Y [--json]` lists a rule-computed holiday set for one year.
 * Other calendar subcommands (e.g. `calendar open`) attach to the same `calendar` command via
 * calendarCommand(program), so registration order does not matter.
 */
import type { Command } from "commander";
import { AppError } from "../errors.js";
import { HOLIDAY_SETS, holidays } from "../calendar/holidays.js";
import { parseIsoDate, weekdayOfDays } from "../calendar/civil.js";

const WEEKDAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The `calendar` command group, created on first use and shared by every calendar subcommand. */
export function calendarCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === "calendar") ??
    program.command("calendar").description("business calendars: holidays and opening hours")
  );
}

export interface HolidayRow {
  date: string;
  weekday: string;
  name: string;
}

export function holidayRows(set: string, yearText: string): HolidayRow[] {
  const year = Number(yearText);
  if (!/^\d{4}$/.test(yearText) || !Number.isInteger(year)) {
    throw new AppError("E_USAGE", `--year must be a four-digit year such as 2026, got "${yearText}"`);
  }
  return holidays(set, year).map((h) => ({
    date: h.date,
    weekday: WEEKDAY_NAMES[weekdayOfDays(parseIsoDate(h.date) ?? 0)] ?? "",
    name: h.name,
  }));
}

export function registerCalendarCommands(program: Command): void {
  calendarCommand(program)
    .command("holidays")
    .description(`list the holidays of a rule-computed set for one year (sets: ${HOLIDAY_SETS.join(", ")})`)
    .requiredOption("--set <name>", `holiday set: ${HOLIDAY_SETS.join(" | ")}`)
    .requiredOption("--year <year>", "calendar year, e.g. 2026")
    .option("--json", "print JSON instead of a table")
    .action((opts: { set: string; year: string; json?: boolean }) => {
      const rows = holidayRows(opts.set, opts.year);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) process.stdout.write(`${r.date}  ${r.weekday}  ${r.name}\n`);
    });
}
