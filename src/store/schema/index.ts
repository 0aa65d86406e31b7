/** The whole database schema; drizzle.config.ts and the drizzle instances read it from here. */
export * from "./directory.js";
export * from "./cases.js";
export * from "./mail.js";
export * from "./outbox.js";
export { bytea, tstz } from "./columns.js";
export * from "./past-breaches.js";
export * from "./installation.js";
export * from "./erasure.js";
export * from "./board.js";
export * from "./lifecycle.js";
export * from "./sla-rollup.js";
