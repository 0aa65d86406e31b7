/**
 * Business-calendar benchmark: business-time additions per second over N random
 * (calendar, start, duration) inputs on three seed-like calendars over 2026–2027, then the same
 * inputs through moment-business-time (dev dependency, benchmark only) with the ratio and the
 * results that differ, classified by kind.
 *
 *   npx tsx bench/sla-calendar.ts [--smoke] [--n N]     (--smoke: 10,000 inputs; default 1,000,000)
 *
 * moment-business-time has no time-zone support (it works in moment's local time, and its working
 * hours and holidays are global locale data). We feed it each start as the calendar's local wall
 * time written as UTC ("fake UTC"), group inputs per calendar so the locale is configured once per
 * group, and convert its wall-time answer back to an instant in the calendar's zone. Conversions
 * are outside the timed loop, which favours moment.
 */
import { prng } from "../harness/prng.js";
import { createRequire } from "node:module";
import { DateTime } from "luxon";
import { buildCalendar } from "../src/calendar/calendar.js";
import { holidays } from "../src/calendar/holidays.js";
import { CIQ_NEW_YORK, KONNEQT_ENTERPRISE, VANTIQ } from "../harness/calendar/sample-specs.js";
import type { BusinessCalendar, BusinessDuration, CalendarSpec } from "../src/calendar/types.js";

interface MomentLike {
  valueOf(): number;
  addWorkingTime(amount: number, unit: string): MomentLike;
}
interface MomentStatic {
  utc(ms: number): MomentLike;
  updateLocale(name: string, data: Record<string, unknown>): void;
}
const moment = createRequire(import.meta.url)("moment-business-time") as MomentStatic;

const SEEDS: Array<{ name: string; spec: CalendarSpec; hours: [string, string] }> = [
  { name: "vantiq-la-8-18", spec: VANTIQ, hours: ["08:00:00", "18:00:00"] },
  { name: "ciq-ny-8-18-fed", spec: CIQ_NEW_YORK, hours: ["08:00:00", "18:00:00"] },
  { name: "konneqt-ny-8-17-federal", spec: KONNEQT_ENTERPRISE, hours: ["08:00:00", "17:00:00"] },
];
const YEARS = [2026, 2027];
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2028, 0, 1);
/** Moment is slow; past this many inputs it runs on the first ones (a uniform random sample). */
const MOMENT_MAX = 20_000;

/** Deterministic PRNG so every run benchmarks the same inputs. */
const rng = prng;

interface Inputs {
  n: number;
  cal: Uint8Array;
  start: Float64Array;
  dur: Uint16Array; // index into POOL
}

/** Durations: 1..3000 business minutes (85%) or 1..10 business days (15%). */
const POOL: BusinessDuration[] = [
  ...Array.from({ length: 3000 }, (_, i) => ({ unit: "minutes", amount: i + 1 }) as const),
  ...Array.from({ length: 10 }, (_, i) => ({ unit: "days", amount: i + 1 }) as const),
];

function makeInputs(n: number): Inputs {
  const r = rng(20260308);
  const inputs: Inputs = { n, cal: new Uint8Array(n), start: new Float64Array(n), dur: new Uint16Array(n) };
  for (let i = 0; i < n; i++) {
    inputs.cal[i] = Math.floor(r() * SEEDS.length);
    inputs.start[i] = FROM + Math.floor((r() * (TO - FROM)) / 60_000) * 60_000;
    inputs.dur[i] = r() < 0.85 ? Math.floor(r() * 3000) : 3000 + Math.floor(r() * 10);
  }
  return inputs;
}

function runOurs(cals: BusinessCalendar[], inp: Inputs, out: Float64Array): number {
  const t0 = performance.now();
  for (let i = 0; i < inp.n; i++) out[i] = cals[inp.cal[i]!]!.add(inp.start[i]!, POOL[inp.dur[i]!]!);
  return (performance.now() - t0) / 1000;
}

function momentLocale(seed: (typeof SEEDS)[number]): Record<string, unknown> {
  const workinghours: Record<number, string[] | null> = { 0: null, 6: null };
  for (let d = 1; d <= 5; d++) workinghours[d] = [...seed.hours];
  const hol = seed.spec.holidays.flatMap((set) => [...YEARS, 2028].flatMap((y) => holidays(set, y).map((h) => h.date)));
  return { workinghours, holidays: hol };
}

/** Runs moment-business-time on the first m inputs, per calendar; returns seconds and real instants. */
function runMoment(inp: Inputs, m: number, out: Float64Array): number {
  const wall = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const zone = SEEDS[inp.cal[i]!]!.spec.zone;
    wall[i] = inp.start[i]! + DateTime.fromMillis(inp.start[i]!, { zone }).offset * 60_000;
  }
  let seconds = 0;
  for (let c = 0; c < SEEDS.length; c++) {
    moment.updateLocale("en", momentLocale(SEEDS[c]!));
    const t0 = performance.now();
    for (let i = 0; i < m; i++) {
      if (inp.cal[i] !== c) continue;
      const d = POOL[inp.dur[i]!]!;
      out[i] = moment.utc(wall[i]!).addWorkingTime(d.amount, d.unit).valueOf();
    }
    seconds += (performance.now() - t0) / 1000;
  }
  for (let i = 0; i < m; i++) {
    const zone = SEEDS[inp.cal[i]!]!.spec.zone;
    out[i] = DateTime.fromMillis(out[i]!, { zone: "utc" }).setZone(zone, { keepLocalTime: true }).toMillis();
  }
  return seconds;
}

const ZONE_TRANSITIONS = new Map<string, number[]>();
function dstTransitions(zone: string): number[] {
  let list = ZONE_TRANSITIONS.get(zone);
  if (!list) {
    list = [];
    for (let t = FROM; t < TO + 30 * 86_400_000; t += 3_600_000) {
      const a = DateTime.fromMillis(t, { zone }).offset;
      const b = DateTime.fromMillis(t + 3_600_000, { zone }).offset;
      if (a !== b) list.push(t + 3_600_000);
    }
    ZONE_TRANSITIONS.set(zone, list);
  }
  return list;
}

/** Why moment's answer differs from ours, most specific explanation first. */
function classify(cal: BusinessCalendar, start: number, d: BusinessDuration, ours: number, theirs: number): string {
  const spec = cal.spec;
  if (d.unit === "days" && !cal.isOpen(start)) return "days-from-outside-hours";
  if (cal.isOpen(theirs) === false && cal.nextOpening(theirs) === ours) return "moment-lands-in-closed-time";
  if (!cal.isOpen(ours) && cal.isOpen(ours - 1) && cal.nextOpening(ours) === theirs) return "close-vs-next-opening";
  const lo = Math.min(start, ours, theirs);
  const hi = Math.max(start, ours, theirs);
  if (Math.abs(ours - theirs) === 3_600_000 && dstTransitions(spec.zone).some((t) => t > lo && t <= hi)) return "dst";
  const zoneDates = (t: number) => DateTime.fromMillis(t, { zone: spec.zone }).toISODate() ?? "";
  const [dLo, dHi] = [zoneDates(lo), zoneDates(hi)];
  const hol = spec.holidays.flatMap((set) => [...YEARS, 2028].flatMap((y) => holidays(set, y).map((h) => h.date)));
  if (hol.some((h) => h >= dLo && h <= dHi)) return "holiday-handling";
  return "other";
}

function describe(c: number, start: number, d: BusinessDuration, ours: number, theirs: number): string {
  const seed = SEEDS[c]!;
  const show = (t: number) => DateTime.fromMillis(t, { zone: seed.spec.zone }).toFormat("ccc yyyy-MM-dd HH:mm");
  return `${seed.name}: ${show(start)} + ${d.amount} ${d.unit} → ours ${show(ours)}, moment ${show(theirs)}`;
}

export async function runCalendarBench(opts: { n: number }): Promise<Record<string, number | string>> {
  const cals = SEEDS.map((s) => buildCalendar(s.spec, { fromYear: 2026, toYear: 2028 }));
  const inp = makeInputs(opts.n);
  const ours = new Float64Array(opts.n);
  runOurs(cals, { ...inp, n: Math.min(inp.n, 200_000) }, ours); // warm-up for the JIT
  const ourSeconds = runOurs(cals, inp, ours);
  const m = Math.min(opts.n, MOMENT_MAX);
  const theirs = new Float64Array(m);
  const momentSeconds = runMoment(inp, m, theirs);
  const kinds: Record<string, number> = {};
  const examples: Record<string, string> = {};
  let differ = 0;
  for (let i = 0; i < m; i++) {
    if (ours[i] === theirs[i]) continue;
    differ++;
    const k = classify(cals[inp.cal[i]!]!, inp.start[i]!, POOL[inp.dur[i]!]!, ours[i]!, theirs[i]!);
    kinds[k] = (kinds[k] ?? 0) + 1;
    examples[k] ??= describe(inp.cal[i]!, inp.start[i]!, POOL[inp.dur[i]!]!, ours[i]!, theirs[i]!);
  }
  const ourRate = opts.n / ourSeconds;
  const momentRate = m / momentSeconds;
  const result: Record<string, number | string> = {
    inputs: opts.n,
    calendars: SEEDS.map((s) => s.name).join(", "),
    additionsPerSecond: Math.round(ourRate),
    momentInputs: m,
    momentAdditionsPerSecond: Math.round(momentRate),
    ratioVsMoment: Number((ourRate / momentRate).toFixed(1)),
    momentDiffering: differ,
  };
  for (const [k, v] of Object.entries(kinds).sort()) result[`momentDiff.${k}`] = v;
  for (const [k, v] of Object.entries(examples).sort()) result[`momentExample.${k}`] = v;
  return result;
}

const invokedDirectly = process.argv[1] && /sla-calendar\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const nArg = args.indexOf("--n");
  const n = nArg >= 0 ? Number(args[nArg + 1]) : args.includes("--smoke") ? 10_000 : 1_000_000;
  const result = await runCalendarBench({ n });
  for (const [k, v] of Object.entries(result)) {
    process.stdout.write(`${k.padEnd(40)} ${typeof v === "number" ? v.toLocaleString("en-US") : v}\n`);
  }
  process.stdout.write(
    [
      "",
      "Kinds of difference (moment-business-time vs support-inbox):",
      "  days-from-outside-hours   moment steps N working days keeping the wall-clock time, even when the",
      "                            start is outside hours; we count N full open days from the next opening.",
      "  moment-lands-in-closed-time  moment's answer is a closed instant whose next opening is our answer.",
      "  close-vs-next-opening     we report the close; moment the next opening (or the reverse).",
      "  dst                       one hour apart across a DST change.",
      "  holiday-handling          a holiday lies in the span and the two disagree.",
      "",
    ].join("\n"),
  );
}
