/**
 * The retryable table against errors the real drivers throw: a refused connection, and on Postgres a
 * connection the server terminates (what a restart does to every open connection) and a serialization failure.
 */
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows, openDatabase, type Db } from "../../src/store/database.js";
import { isRetryable } from "../../src/store/errors.js";
import { retryTransient } from "../../src/store/retry.js";
import { testDatabases, type TestDatabase } from "../support/db.js";

const caught = (p: Promise<unknown>) => p.then(() => expect.fail("expected a failure"), (error: unknown) => error);

it("a refused connection is retryable", async () => {
  const error = await caught(openDatabase({ url: "postgres://postgres@127.0.0.1:1/none", dataDir: "unused" }));
  expect(error).toMatchObject({ code: "E_DB_CONNECT" });
  expect(isRetryable(error)).toBe(true);
});

const postgresOnly = testDatabases().filter((t) => t.name === "postgres");

describe.runIf(postgresOnly.length > 0)("on Postgres", () => {
  let target: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    target = postgresOnly[0]!;
    db = await target.open();
  });
  afterAll(() => target?.close());

  it("a connection the server terminates (as a restart does) fails retryably, and the retry gets the work done", async () => {
    const seen: unknown[] = [];
    const result = await retryTransient(
      async (attempt) => {
        if (attempt === 1) await db.execute(sql`select pg_terminate_backend(pg_backend_pid())`);
        return executeRows<{ answer: number }>(db, sql`select 42 as answer`);
      },
      { baseMs: 10, onRetry: (error) => seen.push(error) },
    );
    expect(result.map((r) => Number(r.answer))).toEqual([42]);
    expect(seen).toHaveLength(1);
    expect(isRetryable(seen[0])).toBe(true);
  });

  it("a serialization failure (40001) is retryable", async () => {
    const url = target.options.url!;
    const [a, b] = [postgres(url, { max: 1, onnotice: () => {} }), postgres(url, { max: 1, onnotice: () => {} })];
    try {
      await a`create table if not exists retry_probe (n int)`;
      const ta = await a.reserve();
      const tb = await b.reserve();
      await ta`begin isolation level serializable`;
      await tb`begin isolation level serializable`;
      await ta`select count(*) from retry_probe`;
      await tb`select count(*) from retry_probe`;
      await ta`insert into retry_probe values (1)`;
      await tb`insert into retry_probe values (2)`;
      await ta`commit`;
      const error = await caught(tb`commit`);
      ta.release();
      tb.release();
      expect(error).toMatchObject({ code: "40001" });
      expect(isRetryable(error)).toBe(true);
    } finally {
      await Promise.all([a.end({ timeout: 1 }), b.end({ timeout: 1 })]);
    }
  });
});
