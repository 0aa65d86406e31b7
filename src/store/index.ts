/** The store's public surface: open/migrate, the schema, the table repositories and the per-use-case queries. */
export * from "./database.js";
export * from "./errors.js";
export * as schema from "./schema/index.js";
export * from "./repos/organizations.js";
export * from "./repos/contacts.js";
export * from "./repos/staff.js";
export * from "./repos/cases.js";
export * from "./repos/events.js";
export * from "./repos/messages.js";
export * from "./repos/outbox.js";
export * from "./repos/mailboxes.js";
export * from "./repos/case-sla.js";
export * from "./repos/correspondence.js";
export * from "./repos/digest.js";
export * from "./repos/retention.js";
export * from "./repos/demo.js";
export * from "./import/contacts-csv.js";
export * from "./import/contact-rows.js";
