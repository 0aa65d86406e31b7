/**
 * The end-to-end ingest bench's database: a fresh, migrated si_bench_ingest seeded with every sender
 * the benchmark mix uses, and the row counts the bench checks afterwards.
 */
import postgres from "postgres";
import { setTimeout as sleep } from "node:timers/promises";
import { BENCH_APPLICATION } from "./ingest-cpu.js";
import { migrate, openDatabase } from "../src/store/database.js";
import { createContact } from "../src/store/repos/contacts.js";
import { createOrganization } from "../src/store/repos/organizations.js";

/** BENCH_DB names another database, so that two checkouts can be benched side by side at the same load. */
export const DB_NAME = process.env.BENCH_DB?.trim() || "si_bench_ingest";

/** A fresh, migrated database (si_bench_ingest unless named) with every benchmark sender as an active DTC (13 orgs × 97 contacts). */
export async function prepareDatabase(adminUrl: string, name = DB_NAME): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const database = await openDatabase({ url, dataDir: "memory://" });
  try {
    await migrate(database);
    for (let k = 0; k < 13; k++) {
      const org = await createOrganization(database.db, { name: `Customer ${k}`, policyId: "vantiq", entitlements: [], domains: [`customer${k}.example`], timeZone: "UTC" });
      // Side by side over the pool: the directory is setup, and one insert at a time took seconds.
      await Promise.all(
        Array.from({ length: 97 }, (_, j) => createContact(database.db, { email: `dtc${j}@customer${k}.example`, name: `Contact ${j}`, organizationId: org.id, dtc: true })),
      );
    }
  } finally {
    await database.close();
  }
  return url;
}

/** The bench's own connections are named so that bench/ingest-cpu.ts leaves their backends out of the run's CPU. */
const benchConnection = (url: string) => postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: BENCH_APPLICATION } });

export async function countRows(url: string): Promise<{ cases: number; outboxQueued: number }> {
  const sql = benchConnection(url);
  try {
    const [c] = await sql<{ n: number }[]>`select count(*)::int as n from cases`;
    const [o] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where state in ('queued', 'sending')`;
    return { cases: c!.n, outboxQueued: o!.n };
  } finally {
    await sql.end();
  }
}

/** Polls (every 25 ms, one connection) until no outbox row is queued or sending; the epoch ms of that look, null after `timeoutMs`. */
export async function waitOutboxEmpty(url: string, timeoutMs = 60_000): Promise<number | null> {
  const sql = benchConnection(url);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [o] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where state in ('queued', 'sending')`;
      if (o!.n === 0) return Date.now();
      await sleep(25);
    }
    return null;
  } finally {
    await sql.end();
  }
}
