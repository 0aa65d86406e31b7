/**
 * Many rows into one table with ONE query parameter: the rows travel as a JSON array and Postgres turns
 * them into records with json_populate_recordset. Building a multi-row INSERT with drizzle costs about a
 * millisecond of CPU per hundred values (every value becomes a chunk of the SQL), which on a busy
 * mailbox is more than the database's own work; JSON.stringify of the same rows is a small fraction.
 *
 * Values go through the column types' input functions, as text parameters do: Dates as ISO strings,
 * arrays as JSON arrays (text[] columns), objects as JSON (jsonb columns). Binary (bytea) is not
 * supported: it would travel as escaped hex inside JSON; insert such rows the ordinary way.
 */
import { getTableColumns, getTableName, sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { AppError } from "../errors.js";
import { executeRows, type Db } from "./database.js";

/** Inserts `rows` (keys as in the drizzle table); returns the `returning` columns of each inserted row, in insertion order. */
export async function bulkInsert<T extends PgTable, R extends Record<string, unknown> = Record<string, never>>(
  db: Db,
  table: T,
  rows: Array<T["$inferInsert"]>,
  options: { returning?: Array<keyof T["$inferSelect"] & string>; onConflictDoNothing?: boolean } = {},
): Promise<R[]> {
  if (rows.length === 0) return [];
  const columns = getTableColumns(table) as Record<string, { name: string }>;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => (r as Record<string, unknown>)[k] !== undefined)))];
  const names = keys.map((k) => {
    const column = columns[k];
    if (!column) throw new AppError("E_INTERNAL", `bulk insert into ${getTableName(table)}: no column "${k}"`);
    return column.name;
  });
  const records = rows.map((r) => {
    const record: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      const value = (r as Record<string, unknown>)[k];
      if (value instanceof Uint8Array) throw new AppError("E_INTERNAL", `bulk insert into ${getTableName(table)}: binary column "${k}" is not supported`);
      record[names[i]!] = value ?? null;
    });
    return record;
  });
  const list = sql.join(names.map((n) => sql.identifier(n)), sql`, `);
  const returning: SQL = options.returning?.length
    ? sql` returning ${sql.join(options.returning.map((k) => sql`${sql.identifier(columns[k]!.name)} as ${sql.identifier(k)}`), sql`, `)}`
    : sql``;
  const conflict = options.onConflictDoNothing ? sql` on conflict do nothing` : sql``;
  // ORDER BY ordinality keeps the rows (and identity/serial values) in the order given.
  const query = sql`insert into ${table} (${list})
    select ${list} from json_populate_recordset(null::${table}, ${JSON.stringify(records)}::json) with ordinality as r
    order by r.ordinality${conflict}${returning}`;
  return executeRows<R>(db, query);
}
