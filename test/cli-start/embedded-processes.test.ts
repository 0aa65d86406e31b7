/**
 * Issue 15, "the embedded database is safe with any number of processes": a real `start` on PGlite and
 * CLI commands in processes of their own while mail flows, as a new user following the README would.
 * Only the worker opens ./data; the CLI reaches it through the worker's socket, the worker sees what the
 * CLI wrote at once, and afterwards every index agrees with its table (amcheck).
 */
import { existsSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PGlite } from "@electric-sql/pglite";
import { amcheck } from "@electric-sql/pglite/contrib/amcheck";
import { describe, expect, it } from "vitest";
import { LOCK_FILE } from "../../src/store/embedded-lock.js";
import { runCli, startCli, waitForOutput, type CliRun } from "./cli.js";

// Each CLI command is a process of its own that loads tsx and the policies: seconds each on a busy 2-core machine.
const SLOW = 1_500_000;

function deliver(cwd: string, from: string, subject: string, n: number): void {
  const mail = [
    `From: ${from}`,
    "To: support@localhost",
    `Subject: ${subject}`,
    `Message-ID: <m${n}.${process.pid}@acme.example>`,
    "Date: Fri, 04 Dec 2026 10:00:00 +0000",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Our production system is down.",
    "",
  ].join("\r\n");
  const tmp = join(cwd, "var/maildir/tmp", `m${n}`);
  writeFileSync(tmp, mail);
  renameSync(tmp, join(cwd, "var/maildir/new", `m${n}`));
}

async function ok(run: Promise<CliRun>): Promise<CliRun> {
  const done = await run;
  expect(done.stderr, done.stderr).toBe("");
  expect(done.code).toBe(0);
  return done;
}

async function casesOpened(cwd: string): Promise<Array<{ subject: string; organization: string }>> {
  const run = await ok(runCli(["case", "list", "--json"], cwd));
  return JSON.parse(run.stdout) as Array<{ subject: string; organization: string }>;
}

describe("the embedded database with a worker and CLI commands in other processes", () => {
  const cwd = mkdtempSync(join(tmpdir(), "si-procs-"));

  it("serves 20 CLI commands through the worker while mail flows; the worker uses new DTCs at once; indexes agree", { timeout: SLOW }, async () => {
    const worker = startCli(["start"], cwd);
    await waitForOutput(worker.child, '"msg":"worker started"');

    // A second worker on the same directory is refused with a message naming the first.
    const second = await runCli(["start"], cwd);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`another worker (pid ${worker.child.pid}) is already running on the embedded database in ./data`);

    const outputs: string[] = [];
    const run = async (...args: string[]) => outputs.push((await ok(runCli(args, cwd))).stdout);
    await run("org", "add", "--name", "Acme", "--policy", "vantiq", "--domain", "acme.example");
    await run("org", "add", "--name", "Beta", "--policy", "vantiq", "--domain", "beta.example");
    await run("staff", "add", "--email", "manager@vendor.example", "--name", "Mia Manager", "--role", "manager");
    for (let i = 1; i <= 5; i++) {
      const org = i % 2 === 0 ? "Beta" : "Acme";
      const email = `dtc${i}@${org.toLowerCase()}.example`;
      await run("contact", "add", "--email", email, "--name", `DTC ${i}`, "--org", org, "--dtc");
      // Mailed the moment the command returned: the worker must already know the new DTC.
      deliver(cwd, email, `Outage ${i}`, i);
      await run("staff", "add", "--email", `eng${i}@vendor.example`, "--name", `Engineer ${i}`, "--role", "engineer");
      if (i % 2 === 1) await run("case", "list");
    }
    await run("contact", "add", "--email", "dtc6@beta.example", "--name", "DTC 6", "--org", "Beta", "--dtc");
    deliver(cwd, "dtc6@beta.example", "Outage 6", 6);
    await run("digest", "preview", "--manager", "manager@vendor.example");
    await run("case", "list");
    await run("digest", "preview", "--manager", "manager@vendor.example");
    expect(outputs).toHaveLength(20);
    expect(outputs[0]).toBe('organization "Acme" added (policy vantiq)\n');

    // Every DTC's mail opened a case (an unknown sender would have been refused instead).
    let cases = await casesOpened(cwd);
    for (let tries = 0; cases.length < 6 && tries < 60; tries++) {
      await sleep(1000);
      cases = await casesOpened(cwd);
    }
    expect(cases.map((c) => c.subject).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `Outage ${i}`));
    expect(cases.filter((c) => c.organization === "Beta")).toHaveLength(3);

    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);

    const staff = await ok(runCli(["staff", "list"], cwd));
    expect(staff.stdout.split("\n").filter((line) => line.includes("@vendor.example"))).toHaveLength(6);
    await expectIndexesAgree(join(cwd, "data"));
  });
});

describe("the lock on the embedded data directory", () => {
  it("a lock left by a dead process is taken over by the next command, and released after it", { timeout: SLOW }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), "si-stale-"));
    await ok(runCli(["staff", "add", "--email", "e@vendor.example", "--name", "E", "--role", "engineer"], cwd));
    const dead = spawn(process.execPath, ["-e", ""]);
    const deadPid = dead.pid!;
    await new Promise((resolve) => dead.on("close", resolve));
    writeFileSync(join(cwd, "data", LOCK_FILE), JSON.stringify({ pid: deadPid, role: "worker" }));

    const listed = await ok(runCli(["staff", "list"], cwd));
    expect(listed.stdout).toContain("e@vendor.example");
    expect(existsSync(join(cwd, "data", LOCK_FILE))).toBe(false);
  });

  it("a worker started while a CLI command holds the directory waits for it, then serves", { timeout: SLOW }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), "si-wait-"));
    await ok(runCli(["staff", "list"], cwd));
    // A live process standing in for a CLI command in the middle of its work.
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    writeFileSync(join(cwd, "data", LOCK_FILE), JSON.stringify({ pid: holder.pid, role: "cli" }));
    const worker = startCli(["start"], cwd);
    await sleep(3000);
    expect(worker.child.exitCode).toBeNull();
    holder.kill();
    await waitForOutput(worker.child, '"msg":"worker started"');
    await ok(runCli(["staff", "add", "--email", "w@vendor.example", "--name", "W", "--role", "engineer"], cwd));
    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  });
});

/** amcheck over every B-tree index: each must match its table (heapallindexed), unique ones included. */
async function expectIndexesAgree(dataDir: string): Promise<void> {
  const db = await PGlite.create(dataDir, { extensions: { amcheck } });
  try {
    await db.exec("create extension if not exists amcheck");
    const { rows } = await db.query<{ name: string }>(
      `select c.oid::regclass::text as name from pg_index i join pg_class c on c.oid = i.indexrelid
         join pg_am a on a.oid = c.relam join pg_namespace n on n.oid = c.relnamespace
        where a.amname = 'btree' and n.nspname = 'public'`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const { name } of rows) await db.query(`select bt_index_check($1::regclass, true)`, [name]);
  } finally {
    await db.close();
  }
}
