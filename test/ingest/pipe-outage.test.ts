/**
 * The MTA pipe while Postgres is down: the worker runs (its pipe socket answers) but cannot store, so the
 * pipe must exit 75 and store nothing, and the MTA's retry once the database is back must store the message
 * exactly once. A private Postgres cluster (harness/postgres-cluster.ts), stopped and started for real.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresClusterSkipReason, startPostgresCluster, type PostgresCluster } from "../../harness/postgres-cluster.js";
import { cleanEnv, runCli, startCli, waitForOutput } from "../cli-start/cli.js";
import { runWithStdin } from "./cli.js";

const skip = postgresClusterSkipReason();
if (skip) console.warn(`pipe outage test skipped: ${skip}`);
const T = 180_000;

describe.skipIf(skip !== null)("ingest through the worker while Postgres is down", () => {
  let pg: PostgresCluster;
  let url: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let worker: ReturnType<typeof startCli>;

  beforeAll(async () => {
    pg = await startPostgresCluster();
    url = await pg.createDatabase("pipe");
    dir = mkdtempSync(join(tmpdir(), "si-pipe-outage-"));
    env = cleanEnv({ DATABASE_URL: url });
    writeFileSync(join(dir, "support-inbox.yaml"), ["mailboxes:", "  - { name: support, kind: maildir, address: support@vendor.example, policy: vantiq, maildir: { path: ./mail } }", "outboxDir: ./outbox", "scheduler: { tickSeconds: 1 }", ""].join("\n"));
    for (const args of [
      ["migrate"],
      ["org", "add", "--name", "Acme", "--policy", "vantiq", "--domain", "customer.example"],
      ["contact", "add", "--email", "jane.doe@customer.example", "--name", "Jane Doe", "--org", "Acme", "--dtc"],
    ]) {
      const run = await runCli(args, dir, env);
      expect(run.code, run.stderr).toBe(0);
    }
    worker = startCli(["start"], dir, env);
    await waitForOutput(worker.child, "MTA pipe");
  }, T);

  afterAll(async () => {
    worker?.child.kill("SIGTERM");
    await worker?.done;
    await pg?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, T);

  it("exits 75 while the database is down, and the MTA's retry after it is back stores the message once", async () => {
    const raw = await readFile(join(import.meta.dirname, "..", "fixtures", "mail", "template-full-vantiq.eml"));
    await pg.stop("fast");
    const down = await runWithStdin(["ingest", "--json"], raw, dir, env);
    expect(down.code).toBe(75);
    expect(down.stderr).toMatch(/temporary failure: the MTA keeps the message and retries/);
    await pg.start();
    // As an MTA does: retry on 75 until the desk takes it (the worker's pool reconnects on its own).
    let retry = await runWithStdin(["ingest", "--json"], raw, dir, env);
    for (let attempt = 1; retry.code === 75 && attempt < 20; attempt++) {
      await new Promise((r) => setTimeout(r, 1_000));
      retry = await runWithStdin(["ingest", "--json"], raw, dir, env);
    }
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ outcome: "new-case" });
    const again = await runWithStdin(["ingest", "--json"], raw, dir, env);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: "duplicate" });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ n: number }[]>`select count(*)::int as n from messages where message_id = 'CAF9x2k1-full-template-001@mail.customer.example'`;
      expect(rows[0]!.n).toBe(1);
      expect((await sql<{ n: number }[]>`select count(*)::int as n from cases`)[0]!.n).toBe(1);
    } finally {
      await sql.end();
    }
  }, T);
});
