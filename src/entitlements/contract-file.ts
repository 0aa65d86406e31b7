/**
 * The whole contract YAML that `org contract NAME FILE` reads: the term, service levels (as in a policy),
 * the ticket allowance and carry-over cap, the customer's own business hours and the account contact.
 * Every part is optional, but a file must say something. Pure: text in, a ContractFile or a
 * ValidationError naming the file and field out. Hours are checked like a policy calendar.
 *
 *   term: { start: 2025-03-01, end: 2026-02-28 }     # end: null for open-ended
 *   ticketsPerYear: 40
 *   carryOverCap: 20
 *   hours: { zone: Europe/Berlin, week: { weekdays: ["09:00-17:00"] }, holidays: [], description: … }
 *   accountContact: "Jane Roe <jane@vendor.example>"
 *   queryHours: { limits: { query: 40 }, enforce: refuse }   # the Subscription Order Form's own hours; refuse when used up
 *   serviceLevels: [ … ]
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { ValidationError } from "../errors.js";
import { formatPath, rawPolicySchema } from "../policy/schema.js";
import type { Policy, ServiceLevel } from "../policy/types.js";
import { crossCheck, toPolicy, toServiceLevels } from "../policy/validate.js";
import { withContract } from "../policy/contract.js";
import type { Agreement, AgreedHours } from "./agreement.js";
import { termIssues, type ContractTerm } from "./term.js";

const day = z.union([z.string(), z.date()]).transform((v) => (typeof v === "string" ? v : v.toISOString().slice(0, 10)));
const { followsCustomerZone: _f, ...calendarShape } = rawPolicySchema.shape.calendar.shape;

const contractFileSchema = z
  .strictObject({
    term: z.strictObject({ start: day, end: day.nullable().default(null) }).optional(),
    serviceLevels: rawPolicySchema.shape.serviceLevels.unwrap().min(1).optional(),
    ticketsPerYear: z.number().int().positive().optional(),
    carryOverCap: z.number().int().min(0).optional(),
    hours: z.strictObject(calendarShape).optional(),
    accountContact: z.string().min(1).optional(),
    queryHours: z
      .strictObject({ limits: z.record(z.string(), z.number().positive()).optional(), enforce: z.enum(["mark", "refuse"]).optional() })
      .optional(),
  })
  .refine((c) => Object.keys(c).length > 0, "the contract file is empty: give term, serviceLevels, ticketsPerYear, carryOverCap, hours or accountContact");

export interface ContractFile {
  term?: ContractTerm;
  serviceLevels?: ServiceLevel[];
  agreement: Agreement;
  accountContact?: string;
}

type Issue = { path: string; message: string };

export function parseContractFile(yamlText: string, fileName: string, policy: Policy): ContractFile {
  const doc = parseDocument(yamlText, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ValidationError(fileName, doc.errors.map((e) => ({ path: "", message: `YAML syntax: ${e.message}` })));
  const parsed = contractFileSchema.safeParse(doc.toJS() ?? {}, {
    error: (iss) => (iss.input === undefined ? "required field is missing" : undefined),
  });
  if (!parsed.success) throw new ValidationError(fileName, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  const raw = parsed.data;
  const issues: Issue[] = [];
  const term = raw.term ? { start: raw.term.start, end: raw.term.end } : undefined;
  if (term) issues.push(...termIssues(term.start, term.end).map((i) => ({ path: `term.${i.path}`, message: i.message })));
  const serviceLevels = raw.serviceLevels ? toServiceLevels(raw.serviceLevels) : undefined;
  if (serviceLevels) issues.push(...levelIssues(policy, serviceLevels));
  const hours = raw.hours ? agreedHours(raw.hours, policy) : undefined;
  if (hours) issues.push(...hoursIssues(policy, hours));
  if (raw.carryOverCap !== undefined && !(raw.ticketsPerYear ?? policy.quota)) {
    issues.push({ path: "carryOverCap", message: `policy ${policy.id} counts no tickets and the contract sets no ticketsPerYear` });
  }
  for (const t of Object.keys(raw.queryHours?.limits ?? {})) {
    if (!policy.caseTypes.includes(t as never)) issues.push({ path: `queryHours.limits.${t}`, message: `"${t}" is not a case type of policy ${policy.id} (${policy.caseTypes.join(", ")})` });
  }
  if (issues.length > 0) throw new ValidationError(fileName, issues);
  const agreement: Agreement = {
    ...(raw.ticketsPerYear !== undefined ? { ticketsPerYear: raw.ticketsPerYear } : {}),
    ...(raw.carryOverCap !== undefined ? { carryOverCap: raw.carryOverCap } : {}),
    ...(hours ? { hours } : {}),
    ...(raw.queryHours ? { queryHours: raw.queryHours } : {}),
  };
  return { ...(term ? { term } : {}), ...(serviceLevels ? { serviceLevels } : {}), agreement, ...(raw.accountContact ? { accountContact: raw.accountContact } : {}) };
}

/** Service levels are checked as part of the policy they extend: case types and severities must be its own. */
function levelIssues(policy: Policy, levels: ServiceLevel[]): Issue[] {
  return crossCheck(withContract(policy, levels)).filter((i) => {
    const index = /^serviceLevels\[(\d+)\]/.exec(i.path);
    return index !== null && Number(index[1]) < levels.length;
  });
}

function agreedHours(raw: z.infer<z.ZodObject<typeof calendarShape>>, policy: Policy): AgreedHours {
  // toPolicy spreads "weekdays" over mon–fri exactly as for a policy calendar.
  const { calendar } = toPolicy({ ...rawOf(policy), calendar: raw } as Parameters<typeof toPolicy>[0]);
  const { zone, week, holidays, closedDates, description } = calendar;
  return { zone, week, holidays, ...(closedDates ? { closedDates } : {}), description };
}

/** The policy's calendar checks, run on the agreed hours: unknown zone, bad intervals, unknown holiday set. */
function hoursIssues(policy: Policy, hours: AgreedHours): Issue[] {
  return crossCheck({ ...policy, calendar: { ...hours } })
    .filter((i) => i.path.startsWith("calendar"))
    .map((i) => ({ path: i.path.replace(/^calendar/, "hours"), message: i.message }));
}

/** toPolicy wants a whole raw policy; only its calendar part is read here. */
function rawOf(policy: Policy): Record<string, unknown> {
  return { ...policy, serviceLevels: [] };
}
