/**
 * Who we serve and who serves them: customer organizations, their contacts (DTCs carry the dtc
 * flag) and our staff. Emails are stored lowercased so lookups are exact and index-backed.
 */
import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, jsonb, pgTable, text, uniqueIndex, type AnyPgColumn } from "drizzle-orm/pg-core";
import type { ServiceLevel } from "../../policy/types.js";
import type { Agreement } from "../../entitlements/agreement.js";
import { tstz } from "./columns.js";

export const organizations = pgTable(
  "organizations",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    name: text("name").notNull(),
    policyId: text("policy_id").notNull(),
    plan: text("plan"),
    entitlements: text("entitlements").array().notNull().default(sql`'{}'::text[]`),
    contractStart: date("contract_start", { mode: "string" }),
    contractEnd: date("contract_end", { mode: "string" }),
    timeZone: text("time_zone"),
    /** Lowercased mail domains, to recognise a non-DTC colleague and answer them politely. */
    domains: text("domains").array().notNull().default(sql`'{}'::text[]`),
    /** Customer-specific closed days ("YYYY-MM-DD"), on top of the policy calendar's holidays. */
    closedDates: text("closed_dates").array().notNull().default(sql`'{}'::text[]`),
    /** Service levels agreed with this customer (see src/policy/contract.ts); they precede the policy's. */
    contract: jsonb("contract").$type<ServiceLevel[]>(),
    /** The engineer who hears first of this organization's new cases (`org add|set --engineer`). */
    engineerId: integer("engineer_id").references((): AnyPgColumn => staff.id),
    /** The rest of the contract (src/entitlements/agreement.ts): ticket allowance, carry-over cap, own hours. */
    agreement: jsonb("agreement").$type<Agreement>(),
    /** Whom the customer asks about the agreement itself (renewal, more tickets); told in refusals and quota mail. */
    accountContact: text("account_contact"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("organizations_name_key").on(t.name), index("organizations_domains_idx").using("gin", t.domains)],
);

export const contacts = pgTable(
  "contacts",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    organizationId: integer("organization_id")
      .notNull()
      .references(() => organizations.id),
    dtc: boolean("dtc").notNull().default(false),
    /** The organization's dedicated point of contact (CIQ Premium [002] 5.1); at most one per organization. */
    namedContact: boolean("named_contact").notNull().default(false),
    active: boolean("active").notNull().default(true),
    timeZone: text("time_zone"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("contacts_email_key").on(t.email),
    index("contacts_organization_idx").on(t.organizationId),
    uniqueIndex("contacts_named_contact_key").on(t.organizationId).where(sql`${t.namedContact}`),
    check("contacts_email_lowercase", sql`${t.email} = lower(${t.email})`),
  ],
);

export const STAFF_ROLES = ["engineer", "manager", "executive"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const staff = pgTable(
  "staff",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role").$type<StaffRole>().notNull(),
    timeZone: text("time_zone"),
    active: boolean("active").notNull().default(true),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("staff_email_key").on(t.email),
    check("staff_email_lowercase", sql`${t.email} = lower(${t.email})`),
    check("staff_role_check", sql`${t.role} in ('engineer', 'manager', 'executive')`),
  ],
);
