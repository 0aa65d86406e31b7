/**
 * The shape of a policy YAML file (zod v4). Field-level checks live here; checks that relate one part of the
 * file to another (a severity that must exist, an entitlement that must be declared) are in validate.ts.
 * Objects are strict so that a misspelt key ("initial-respons") is an error, not a silently missing target.
 */
import { z } from "zod";
import { CASE_TYPE_IDS, METRIC_IDS } from "./types.js";
import type { CaseTypeId, MetricId, Target } from "./types.js";
import { parseDuration } from "./duration.js";

/** YAML reads `1` as a number; severity ids and aliases are strings. */
const idString = z.union([z.string().min(1), z.number()]).transform(String);

const caseType = z.enum(CASE_TYPE_IDS as [CaseTypeId, ...CaseTypeId[]]);
const metric = z.enum(METRIC_IDS as [MetricId, ...MetricId[]]);
const environment = z.enum(["production", "pre-production", "development"]);
const audience = z.enum(["assignee", "team", "managers", "executives"]);
const kebab = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "use lower-case words joined by dashes");

/** A target: a duration as the seed words it, or `none` (e.g. "Best efforts") meaning no target. */
const targetText = z
  .union([z.string(), z.number(), z.null()])
  .transform((value, ctx): Target | undefined => {
    if (value === null || (typeof value === "string" && /^(none|best efforts)$/i.test(value.trim()))) return undefined;
    const text = String(value);
    const parsed = parseDuration(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }
    return { duration: parsed.duration, text: text.trim() };
  });

const targets = z.strictObject(
  Object.fromEntries(METRIC_IDS.map((m) => [m, targetText.optional()])) as Record<MetricId, z.ZodOptional<typeof targetText>>,
);

const condition = z.strictObject({
  entitlements: z.array(z.string().min(1)).min(1).optional(),
  environments: z.array(environment).min(1).optional(),
});

/** "08:00-18:00" (a dash or en dash), or { from, to }. */
const interval = z.union([
  z
    .string()
    .regex(/^\s*\S+\s*[-–]\s*\S+\s*$/, 'write an interval as "HH:MM-HH:MM"')
    .transform((s) => {
      const [from, to] = s.split(/[-–]/).map((p) => p.trim());
      return { from: from!, to: to! };
    }),
  z.strictObject({ from: z.string(), to: z.string() }),
]);

const WEEK_KEYS = ["weekdays", "mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const week = z.union([
  z.literal("24x7"),
  z.strictObject(Object.fromEntries(WEEK_KEYS.map((d) => [d, z.array(interval).optional()])) as Record<
    (typeof WEEK_KEYS)[number],
    z.ZodOptional<z.ZodArray<typeof interval>>
  >),
]);

export const rawPolicySchema = z.strictObject({
  id: kebab,
  name: z.string().min(1),
  seed: z.string().min(1),
  calendar: z.strictObject({
    zone: z.string().min(1),
    week,
    holidays: z.array(z.string()).default([]),
    closedDates: z.array(z.union([z.string(), z.date()]).transform(dateText)).optional(),
    followsCustomerZone: z.boolean().optional(),
    description: z.string().min(1),
  }),
  caseTypes: z.array(caseType).min(1),
  defaultCaseType: caseType,
  severities: z
    .array(
      z.strictObject({
        id: idString,
        name: z.string().min(1),
        definition: z.string().min(1),
        aliases: z.array(idString).default([]),
      }),
    )
    .min(1),
  defaultSeverity: idString,
  serviceLevels: z
    .array(
      z.strictObject({
        caseType,
        severity: idString.nullable().default(null),
        coverage: z.enum(["business", "24x7"]).default("business"),
        when: condition.optional(),
        targets,
      }),
    )
    .default([]),
  eligibility: z
    .array(
      z.strictObject({
        severity: idString.optional(),
        caseType: caseType.optional(),
        requires: condition,
        otherwise: z.union([z.strictObject({ downgradeTo: idString }), z.strictObject({ refuse: z.literal(true) })]),
        reason: z.string().min(1),
      }),
    )
    .default([]),
  requiredFields: z.array(kebab).default([]),
  reminders: z
    .array(
      z.strictObject({
        at: z.number().gt(0, "a threshold is a fraction of the target in (0, 1]").lte(1, "a threshold is a fraction of the target in (0, 1]; 1 is the breach"),
        notify: z.array(audience).min(1),
        metrics: z.array(metric).min(1).optional(),
        severities: z.array(idString).min(1).optional(),
      }),
    )
    .default([]),
  pausedWhileWaiting: z.array(metric).default([]),
  ackCcDtcs: z.boolean().default(false),
  entitlements: z.array(z.strictObject({ id: kebab, description: z.string().min(1) })).default([]),
  quota: z
    .strictObject({ ticketsPerYear: z.number().int().positive(), carryOver: z.boolean(), countedCaseTypes: z.array(caseType).min(1).optional() })
    .optional(),
  accountContact: z.string().min(1).optional(),
  emergency: z.strictObject({ words: z.array(z.string().min(1)).min(1), notify: z.array(audience).min(1), reason: z.string().min(1) }).optional(),
  retention: z
    .strictObject({
      piiDaysAfterContractEnd: z.number().int().positive().optional(),
      attachmentsDaysAfterClose: z.number().int().positive().optional(),
      portalDataDaysAfterContractEnd: z.number().int().positive().optional(),
    })
    .optional(),
  queryHourLimits: z.partialRecord(caseType, z.number().positive()).optional(),
  // Infotecs [001] "Technical Support Lifecycle": see src/lifecycle/rules.ts.
  lifecycle: z
    .strictObject({
      file: z.string().min(1),
      extendedSupport: z.strictObject({
        criticalDefects: z.strictObject({ caseTypes: z.array(caseType).min(1), severities: z.array(idString).min(1) }),
        vulnerabilities: z.strictObject({ caseTypes: z.array(caseType).default([]), words: z.array(z.string().min(1)).default([]) }),
      }),
      otherRequests: z.enum(["chargeable", "refuse"]).default("chargeable"),
      noticeMonthsAhead: z.number().int().positive().default(6),
    })
    .optional(),
});

export type RawPolicy = z.infer<typeof rawPolicySchema>;

/** YAML 1.1-style parsers may hand back a Date for an unquoted 2026-12-24; keep the calendar date. */
function dateText(value: string | Date): string {
  return typeof value === "string" ? value : value.toISOString().slice(0, 10);
}

/** "serviceLevels[3].targets.workaround" from zod's path array. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}
