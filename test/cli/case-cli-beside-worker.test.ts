/**
 * The case commands while `support-inbox start` runs on the embedded database (README "The embedded database
 * with several processes"): the worker, a process of its own, holds ./data; the CLI reaches it through its
 * socket, and what one writes the other sees at once.
 */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startCli, waitForOutput, type CliRun } from "../cli-start/cli.js";
import { cliVariants, useCliWorkspace } from "../support/cli.js";
import type { ChildProcess } from "node:child_process";

vi.setConfig({ testTimeout: 900_000, hookTimeout: 900_000 });

const pglite = cliVariants().filter((v) => v.name === "pglite");

describe.each(pglite)("case commands beside a running worker on %s", (variant) => {
  const ws = useCliWorkspace(variant, "beside", { migrate: false });
  let worker: { child: ChildProcess; done: Promise<CliRun> };

  async function ok(...args: string[]): Promise<string> {
    const r = await ws.run(...args);
    expect(r.stderr, `${args.join(" ")}: ${r.stderr}`).toBe("");
    expect(r.code).toBe(0);
    return r.stdout;
  }

  beforeAll(async () => {
    writeFileSync(join(ws.dir, "support-inbox.yaml"), "http: false\nscheduler:\n  tickSeconds: 1\n");
    worker = startCli(["start"], ws.dir);
    await waitForOutput(worker.child, '"msg":"worker started"');
  });
  afterAll(async () => {
    worker?.child.kill("SIGTERM");
    await worker?.done;
  });

  it("sets up, finds the case the worker opened, shows it, notes and resolves it through the worker's socket", async () => {
    await ok("org", "add", "--name", "Acme", "--policy", "vantiq", "--domain", "acme.example");
    await ok("contact", "add", "--email", "jane@acme.example", "--name", "Jane", "--org", "Acme", "--dtc");
    await ok("staff", "add", "--email", "alice@vendor.example", "--name", "Alice", "--role", "engineer");
    const mail = "From: jane@acme.example\r\nTo: support@localhost\r\nSubject: Gateway down\r\nMessage-ID: <beside-1@acme.example>\r\n\r\nSeverity: 2\r\nThe gateway is down.\r\n";
    writeFileSync(join(ws.dir, "var/maildir/tmp/m1"), mail);
    renameSync(join(ws.dir, "var/maildir/tmp/m1"), join(ws.dir, "var/maildir/new/m1"));
    let found: Array<{ number: number }> = [];
    for (let tries = 0; found.length === 0 && tries < 120; tries++) {
      found = JSON.parse(await ok("case", "search", "--text", "gateway", "--json")).rows;
      if (found.length === 0) await sleep(1000);
    }
    expect(found).toHaveLength(1);
    const n = String(found[0]!.number);
    expect(await ok("case", "show", n)).toContain(`Case #${n}: Gateway down`);
    expect(await ok("case", "note", n, "checked the gateway", "--as", "alice@vendor.example")).toBe(`case #${n}: note recorded\n`);
    expect(await ok("case", "status", n, "resolved", "--as", "alice@vendor.example")).toMatch(new RegExp(`^case #${n}: open -> resolved; queued resolution-notice`));
    const view = JSON.parse(await ok("case", "show", n, "--json"));
    expect(view.status).toBe("resolved");
    // The worker delivers the resolution notice it did not queue itself: it reads what the CLI wrote.
    for (let tries = 0; !view.thread.some((e: { kind: string; state: string }) => e.kind === "resolution-notice" && e.state === "sent") && tries < 60; tries++) {
      await sleep(1000);
      view.thread = JSON.parse(await ok("case", "show", n, "--json")).thread;
    }
    expect(view.thread).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "resolution-notice", state: "sent", to: ["jane@acme.example"] })]));
  });
});
