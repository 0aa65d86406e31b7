/**
 * Cases and their append-only event trail. The SLA engine derives deadlines from the events;
 * `nextActionAt` is only the scheduler's index into "what is due", recomputed after each change.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz } from "./columns.js";
import { contacts, organizations, staff } from "./directory.js";

export const CASE_STATUSES = ["open", "waiting", "resolved", "closed"] as const;
export type CaseStatusValue = (typeof CASE_STATUSES)[number];

export const cases = pgTable(
  "cases",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    /** The human case number in "[Case #N]"; a sequence so concurrent openers never collide. */
    number: serial("number").notNull(),
    organizationId: integer("organization_id")
      .notNull()
      .references(() => organizations.id),
    requesterId: integer("requester_id")
      .notNull()
      .references(() => contacts.id),
    assigneeId: integer("assignee_id").references(() => staff.id),
    subject: text("subject").notNull(),
    caseType: text("case_type").notNull(),
    severity: text("severity").notNull(),
    /** "field" | "subject" | "default" | "downgrade" | "staff": how the severity was chosen. */
    severitySource: text("severity_source").notNull(),
    severityReason: text("severity_reason"),
    status: text("status").$type<CaseStatusValue>().notNull().default("open"),
    environment: text("environment"),
    productVersion: text("product_version"),
    clientApp: text("client_app"),
    namespaces: text("namespaces").array().notNull().default(sql`'{}'::text[]`),
    templateFields: jsonb("template_fields").$type<Record<string, string>>().notNull().default({}),
    missingFields: text("missing_fields").array().notNull().default(sql`'{}'::text[]`),
    policyId: text("policy_id").notNull(),
    openedAt: tstz("opened_at").notNull(),
    /** The SLA engine's last evaluation, for display; never the source of truth. */
    slaState: jsonb("sla_state").$type<unknown>(),
    nextActionAt: tstz("next_action_at"),
    /** ReminderOwed keys already queued, so the engine owes only the next one. */
    remindersSent: text("reminders_sent").array().notNull().default(sql`'{}'::text[]`),
    updatedAt: tstz("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("cases_number_key").on(t.number),
    index("cases_next_action_idx").on(t.nextActionAt).where(sql`${t.nextActionAt} is not null`),
    index("cases_status_org_idx").on(t.status, t.organizationId),
    index("cases_organization_idx").on(t.organizationId),
    // The digest reads cases closed in the last 30 days without scanning every case ever opened.
    index("cases_updated_at_idx").on(t.updatedAt),
    // `case search --text` over the case's subject (the messages' index covers their bodies).
    index("cases_subject_search_idx").using("gin", sql`to_tsvector('english', ${t.subject})`),
    check("cases_status_check", sql`${t.status} in ('open', 'waiting', 'resolved', 'closed')`),
  ],
);

export const caseEvents = pgTable(
  "case_events",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    caseId: integer("case_id")
      .notNull()
      .references(() => cases.id),
    at: tstz("at").notNull(),
    /** "system", a staff or contact email, or "cli". */
    actor: text("actor").notNull(),
    kind: text("kind").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("case_events_case_idx").on(t.caseId, t.at)],
);
