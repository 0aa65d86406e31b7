/**
 * Column helpers shared by every table. Timestamps are timestamptz read as Date; calendar days
 * (contract start/end) are `date` read as "YYYY-MM-DD" strings so no time zone sneaks in.
 */
import { customType, timestamp } from "drizzle-orm/pg-core";

/** timestamptz as a JS Date. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Raw bytes (drizzle has no built-in bytea); both drivers hand back a Uint8Array/Buffer. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return "bytea";
  },
  fromDriver(value) {
    // postgres.js returns Buffer (a Uint8Array subclass); normalise so equality checks behave alike.
    return value instanceof Uint8Array ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : value;
  },
});
