/**
 * Each SQL-generating benchmark (board, digest, scheduler) works in a database of its own, dropped and created
 * afresh on the Postgres that TEST_DATABASE_URL names (only used to create it), so runs never see each other's
 * data and a bench never touches the test database.
 */
import postgres from "postgres";

export const ADMIN_URL = process.env.TEST_DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/test";

/** The URL of database `name` on the admin URL's server. */
export function benchDatabaseUrl(name: string, adminUrl = ADMIN_URL): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops (closing its connections) and creates `name`; returns its URL. */
export async function recreateBenchDatabase(name: string, adminUrl = ADMIN_URL): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
    await sql.unsafe(`create database ${name}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  return benchDatabaseUrl(name, adminUrl);
}
