/**
 * The MTA pipe beside a running worker: `support-inbox ingest` (the real binary, a child process per mail, as
 * Postfix runs it) hands the message to the worker over <dataDir>/ingest.sock and exits with the worker's
 * verdict; without a worker it stores the message itself. On the embedded database and on real Postgres, with
 * each client an MTA can run: the Node CLI and bin/support-inbox-pipe (Perl, which hands what it cannot do to it).
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "../../src/store/database.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listRejections } from "../../src/store/repos/mailboxes.js";
import { messages } from "../../src/store/schema/index.js";
import { seedAcme } from "../support/desk.js";
import { startCli, waitForOutput, type CliRun } from "../cli-start/cli.js";
import { PIPE_CLIENTS, runWithStdin } from "./cli.js";
import { ingestTargets } from "./targets.js";

const T = 120_000;
const fixture = () => readFile(join(import.meta.dirname, "..", "fixtures", "mail", "template-full-vantiq.eml"));
/** The fixture under another Message-ID and subject, so each test opens its own case. */
const variant = async (tag: string) =>
  Buffer.from((await fixture()).toString("latin1").replace(/^Message-ID: <[^>]+>/m, `Message-ID: <pipe-${tag}@customer.example>`).replace(/^Subject: .*/m, `Subject: Pipe test ${tag}`), "latin1");

const storedCopies = (db: Db, messageId: string) => db.select().from(messages).then((rows) => rows.filter((m) => m.messageId === messageId).length);

describe.each(ingestTargets())("ingest through the worker's pipe socket on %s", (target) => {
  const socket = () => join(target.dir, "data", "ingest.sock");
  let worker: { child: ChildProcess; done: Promise<CliRun> } | null = null;
  let workerLog = "";

  async function startWorker(): Promise<void> {
    worker = startCli(["start"], target.dir, target.env);
    workerLog = "";
    worker.child.stdout?.on("data", (c: Buffer) => (workerLog += c.toString()));
    await waitForOutput(worker.child, "MTA pipe");
  }
  async function stopWorker(signal: NodeJS.Signals = "SIGTERM"): Promise<CliRun | null> {
    const w = worker;
    worker = null;
    if (!w) return null;
    w.child.kill(signal);
    return w.done;
  }

  beforeAll(async () => {
    await target.setup();
    await target.withDb((db) => seedAcme(db));
  }, T);
  afterEach(() => stopWorker(), T);
  afterAll(() => target.teardown());

  describe.each(PIPE_CLIENTS)("run as $name", (client) => {
    const ingest = (raw: Buffer, args: string[] = []) => runWithStdin(["ingest", "--json", ...args], raw, target.dir, target.env, client.command);
    /** Each client's mails are its own: the same test under the other client opens other cases. */
    const mail = (tag: string) => variant(`${client.name}-${tag}`);
    const id = (tag: string) => `pipe-${client.name}-${tag}@customer.example`;

    it("the worker stores the message and the pipe exits 0 with its verdict; a second copy is a duplicate, stored once", async () => {
      await startWorker();
      expect(existsSync(socket())).toBe(true);
      const raw = await mail("stored");
      const first = await ingest(raw);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ outcome: "new-case", messageId: id("stored"), mailbox: "support" });
      // The worker stored it (its own outcome line), not the pipe process.
      expect(workerLog).toContain(`"messageId":"${id("stored")}"`);
      const again = await ingest(raw);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ outcome: "duplicate", messageId: id("stored") });
      expect(await target.withDb((db) => storedCopies(db, id("stored")))).toBe(1);
      const cases = await target.withDb((db) => listCases(db));
      expect(cases.filter((c) => c.subject === `Pipe test ${client.name}-stored`)).toHaveLength(1);
      // The worker wakes its outbox after the commit: the acknowledgment is written long before the next poll
      // (scheduler.tickSeconds, 30 s by default), as for mail the worker reads itself.
      let acknowledged = false;
      for (let waited = 0; !acknowledged && waited < 20_000; waited += 250) {
        const files = await readdir(join(target.dir, "outbox")).catch(() => [] as string[]);
        for (const f of files.filter((name) => name.endsWith(".eml"))) {
          if ((await readFile(join(target.dir, "outbox", f), "utf8")).includes(`Pipe test ${client.name}-stored`)) acknowledged = true;
        }
        if (!acknowledged) await new Promise((r) => setTimeout(r, 250));
      }
      expect(acknowledged).toBe(true);
    }, T);

    it("a malformed message is quarantined with its raw bytes and exits 1, as without a worker (not 75 forever)", async () => {
      await startWorker();
      const raw = Buffer.from(`X-Junk: ${"a".repeat(100 * 1024)}\r\nFrom: jane.doe@customer.example\r\nSubject: broken pipe\r\n\r\nbody\r\n`);
      const run = await ingest(raw);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "quarantined", error: "E_MAIL_HEADERS_TOO_LARGE", mailbox: "support" });
      expect(run.stderr).toMatch(/message not accepted: message header block is \d+ bytes.*quarantined rejection #\d+/);
      const [rejection] = await target.withDb((db) => listRejections(db, { limit: 1 }));
      expect(rejection).toMatchObject({ disposition: "quarantined", reasonCode: "E_MAIL_HEADERS_TOO_LARGE" });
      expect(Buffer.from(rejection!.raw!).equals(raw)).toBe(true);
      // The worker's own log says so too, at warn, for whoever watches the desk rather than the MTA.
      await vi.waitFor(() => expect(workerLog).toMatch(/"level":"warn".*"exitCode":1.*E_MAIL_HEADERS_TOO_LARGE.*piped message not accepted: kept as a quarantined rejection/));
    }, T);

    it("an unknown --mailbox and a bad --received-at exit 75 (the pipe's setup, not the message) and store nothing", async () => {
      await startWorker();
      const raw = await mail("unknown-mailbox");
      const unknown = await ingest(raw, ["--mailbox", "sales"]);
      expect(unknown.code).toBe(75);
      expect(unknown.stderr).toMatch(/no mailbox named "sales" in the config \(configured: support, partners\)/);
      const badDate = await ingest(raw, ["--received-at", "yesterday"]);
      expect(badDate.code).toBe(75);
      expect(badDate.stderr).toMatch(/--received-at "yesterday" is not an instant/);
      expect(await target.withDb((db) => storedCopies(db, id("unknown-mailbox")))).toBe(0);
    }, T);

    it("with the worker stopped the socket is gone and ingest stores the message itself", async () => {
      await startWorker();
      expect((await stopWorker())?.code).toBe(0);
      expect(existsSync(socket())).toBe(false);
      const run = await ingest(await mail("no-worker"));
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "new-case", messageId: id("no-worker") });
      expect(await target.withDb((db) => storedCopies(db, id("no-worker")))).toBe(1);
    }, T);

    it("after kill -9 the stale socket answers nobody: ingest stores the message itself, and a restarted worker serves the pipe again", async () => {
      await startWorker();
      await stopWorker("SIGKILL");
      expect(existsSync(socket())).toBe(true);
      const alone = await ingest(await mail("stale"));
      expect(alone.code).toBe(0);
      expect(JSON.parse(alone.stdout)).toMatchObject({ outcome: "new-case" });
      await startWorker();
      const served = await ingest(await mail("restarted"));
      expect(served.code).toBe(0);
      expect(workerLog).toContain(`"messageId":"${id("restarted")}"`);
      expect(await target.withDb(async (db) => [await storedCopies(db, id("stale")), await storedCopies(db, id("restarted"))])).toEqual([1, 1]);
    }, T);
  });
});
