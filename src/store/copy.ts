/**
 * Rows with large binary values into Postgres through `COPY … FROM STDIN (FORMAT binary)`.
 *
 * An INSERT parameter travels as text: a 4 MB attachment became a 5.3 MB base64 string in the worker,
 * copied four more times by the driver on its way to the socket, and decoded again by Postgres. In
 * binary COPY the bytes are written to the socket as they are (measured on 3 MB attachments, one
 * transaction each: 1.1 ms of worker CPU per MB instead of 2.8, 170 MB/s instead of 100; bench/ has the
 * figures). Only postgres.js can stream COPY; with PGlite `copyRows` answers false and the caller
 * inserts the ordinary way.
 *
 * The encoding (binaryCopyChunks) is pure; copyRows is the thin shell around the driver.
 */
import { AppError } from "../errors.js";
import type { Db } from "./database.js";

export type CopyValue = number | string | Uint8Array | null;
export type CopyType = "int4" | "text" | "bytea";
export interface CopyColumn {
  name: string;
  type: CopyType;
}

/** PGCOPY signature, flags (none), header extension length (0): the file header of the binary format. */
const HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
/** A field count of -1 ends the data. */
const TRAILER = Buffer.from([0xff, 0xff]);
/** Values at least this large are handed to the driver as they are, never copied into a joint buffer. */
const LARGE = 64 * 1024;

/**
 * The binary COPY stream for `rows` as a list of chunks: small fields are joined, and every large value
 * is a chunk of its own that shares the caller's memory. Pure.
 */
export function binaryCopyChunks(columns: CopyColumn[], rows: CopyValue[][]): Buffer[] {
  const chunks: Buffer[] = [];
  let small: Buffer[] = [HEADER];
  const flush = () => {
    if (small.length > 0) chunks.push(small.length === 1 ? small[0]! : Buffer.concat(small));
    small = [];
  };
  for (const row of rows) {
    if (row.length !== columns.length) throw new AppError("E_INTERNAL", `COPY row has ${row.length} values for ${columns.length} columns`);
    const count = Buffer.alloc(2);
    count.writeInt16BE(columns.length);
    small.push(count);
    row.forEach((value, i) => {
      const bytes = encodeValue(columns[i]!, value);
      const length = Buffer.alloc(4);
      length.writeInt32BE(bytes === null ? -1 : bytes.length);
      small.push(length);
      if (bytes === null) return;
      if (bytes.length < LARGE) small.push(bytes);
      else {
        flush();
        chunks.push(bytes);
      }
    });
  }
  small.push(TRAILER);
  flush();
  return chunks;
}

function encodeValue(column: CopyColumn, value: CopyValue): Buffer | null {
  if (value === null) return null;
  switch (column.type) {
    case "int4": {
      if (typeof value !== "number" || !Number.isInteger(value)) throw new AppError("E_INTERNAL", `COPY column ${column.name}: ${String(value)} is not an integer`);
      const out = Buffer.alloc(4);
      out.writeInt32BE(value);
      return out;
    }
    case "text":
      if (typeof value !== "string") throw new AppError("E_INTERNAL", `COPY column ${column.name}: expected text`);
      return Buffer.from(value, "utf8");
    case "bytea":
      if (!(value instanceof Uint8Array)) throw new AppError("E_INTERNAL", `COPY column ${column.name}: expected bytes`);
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
}

/** The parts of a postgres.js client (pool or transaction) this file uses. */
interface PostgresJsClient {
  unsafe(query: string): PromiseLike<unknown> & { writable(): Promise<NodeJS.WritableStream & import("node:stream").Writable> };
  begin?: (fn: (tx: PostgresJsClient) => Promise<unknown>) => Promise<unknown>;
  savepoint?: unknown;
}

/** The postgres.js client under a drizzle database or transaction; undefined for any other driver. */
function postgresJsClient(db: Db): PostgresJsClient | undefined {
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client as Partial<PostgresJsClient> | undefined;
  return client && typeof client.unsafe === "function" && (typeof client.begin === "function" || client.savepoint !== undefined)
    ? (client as PostgresJsClient)
    : undefined;
}

/**
 * Copies `rows` into `table` (its columns as given; others take their defaults, identities included).
 * Returns false, having written nothing, when the database is not reached through postgres.js.
 * Outside a transaction the copy runs in one of its own, so it is all or nothing either way.
 */
export async function copyRows(db: Db, table: string, columns: CopyColumn[], rows: CopyValue[][]): Promise<boolean> {
  const client = postgresJsClient(db);
  if (!client) return false;
  if (rows.length === 0) return true;
  const chunks = binaryCopyChunks(columns, rows);
  const statement = `copy ${quoteIdent(table)} (${columns.map((c) => quoteIdent(c.name)).join(", ")}) from stdin with (format binary)`;
  if (client.savepoint === undefined && client.begin) await client.begin((tx) => copyIn(tx, statement, chunks, rows.length));
  else await copyIn(client, statement, chunks, rows.length);
  return true;
}

/**
 * Streams the chunks and waits for Postgres to accept them. postgres.js reports a COPY that fails after
 * its CopyDone (a foreign key is checked at the end) by never finishing the stream, and drops the
 * server's error (porsager/postgres#1173). A query queued behind the COPY on the same transaction then
 * fails instead ("current transaction is aborted"), so the wait always ends and the transaction rolls back.
 */
async function copyIn(tx: PostgresJsClient, statement: string, chunks: Buffer[], rowCount: number): Promise<void> {
  const stream = await tx.unsafe(statement).writable();
  const finished = new Promise<void>((resolve, reject) => {
    stream.once("finish", resolve);
    stream.once("error", reject);
  });
  finished.catch(() => undefined);
  // Each chunk is handed over once the previous one reached the socket: the driver copies a chunk into
  // its own buffer, so at most one large value is held twice.
  for (const chunk of chunks) {
    await Promise.race([new Promise<void>((resolve, reject) => stream.write(chunk, (error) => (error ? reject(error) : resolve()))), finished]);
  }
  // With nothing pending, end() sends CopyDone at once; only after that may another query be queued.
  stream.end();
  await new Promise((resolve) => setImmediate(resolve));
  const behind = Promise.resolve(tx.unsafe("select 1")).then(
    () => finished,
    (cause: unknown) => {
      throw new AppError("E_DB_COPY", `Postgres did not accept ${rowCount} copied rows (${statement.split(" (")[0]}); the driver does not pass the reason on, the server log has it`, { rowCount }, { cause });
    },
  );
  await Promise.race([finished, behind]);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
