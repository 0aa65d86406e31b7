/**
 * The board as `support-inbox start` serves it: a staff member who asks for a sign-in link gets the mail at
 * once, over SMTP, not at the outbox's next poll. The scheduler tick (which is also the outbox's poll) is set
 * to an hour, so a link that reaches the SMTP server within the test went out because the request woke the
 * outbox. On the embedded database, the worker as a child process, as a user runs it.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli, startCli, waitForOutput, type CliRun } from "../cli-start/cli.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import type { ChildProcess } from "node:child_process";

const T = 120_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the board's sign-in link beside a running worker", () => {
  let smtp: TestSmtpServer;
  let dir = "";
  let address = "";
  let worker: { child: ChildProcess; done: Promise<CliRun> } | null = null;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    dir = await mkdtemp(join(tmpdir(), "si-board-worker-"));
    address = `127.0.0.1:${await freePort()}`;
    await writeFile(
      join(dir, "support-inbox.yaml"),
      [
        "mailboxes:",
        "  - { name: support, kind: maildir, address: support@vendor.example, policy: vantiq, maildir: { path: ./maildir } }",
        `smtp: { host: ${smtp.host}, port: ${smtp.port}, secure: false, pool: false }`,
        "supportDomain: support.vendor.example",
        "scheduler: { tickSeconds: 3600 }",
        `http: { listen: "${address}", board: true }`,
        "",
      ].join("\n"),
    );
    const added = await runCli(["staff", "add", "--email", "alice@vendor.example", "--name", "Alice Ops", "--role", "engineer"], dir);
    expect([added.code, added.stderr]).toEqual([0, ""]);
    worker = startCli(["start"], dir);
    await waitForOutput(worker.child, "the board on");
  }, T);
  afterAll(async () => {
    worker?.child.kill("SIGTERM");
    await worker?.done;
    await smtp?.stop();
  });

  it("mails the link as soon as it is asked for, long before the outbox's hourly poll", async () => {
    const asked = await fetch(`http://${address}/board/sign-in`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "email=alice%40vendor.example" });
    expect(asked.status).toBe(200);
    const links = () => smtp.received.filter((m) => m.parsed.subject === "Your sign-in link to the support board");
    await vi.waitFor(() => expect(links()).toHaveLength(1), { timeout: 20_000, interval: 100 });
    expect(String(links()[0]!.parsed.text)).toContain(`http://${address}/board/sign-in/link?token=`);
    // A stranger gets the same page and no mail.
    const stranger = await fetch(`http://${address}/board/sign-in`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "email=mallory%40example.com" });
    expect(stranger.status).toBe(200);
    expect((await stranger.text()).replace(/\s+/g, " ")).toContain("a sign-in link is on its way");
    expect(links()).toHaveLength(1);
  }, T);
});
