import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, logMessages, runCli, startCli, waitForOutput } from "./cli.js";

// PGlite's first start (initdb + migrations) takes a while on a small machine.
const SLOW = 180_000;

describe("support-inbox start on embedded defaults", () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "si-start-"));
  });

  it("runs one tick with --once, creates ./data, the Maildir and the outbox, and says so", { timeout: SLOW }, async () => {
    const run = await runCli(["start", "--once"], cwd);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const dir of ["data", "var/maildir/new", "var/maildir/cur", "var/maildir/tmp", "var/outbox"]) {
      expect(statSync(join(cwd, dir)).isDirectory(), dir).toBe(true);
    }
    const messages = logMessages(run.stdout);
    expect(messages).toContain("embedded PGlite database in ./data");
    expect(messages).toContain("Maildir mailbox at ./var/maildir (deliver into tmp/, then rename into new/)");
    expect(messages).toContain("outgoing mail written as .eml files into ./var/outbox");
    expect(messages).toContain("database ready, migrations applied");
    expect(messages).toContain("worker stopped");
  });

  it("keeps running until SIGTERM, then stops gracefully with exit code 0", { timeout: SLOW }, async () => {
    const { child, done } = startCli(["start"], cwd);
    await waitForOutput(child, '"msg":"worker started"');
    child.kill("SIGTERM");
    const run = await done;
    expect(run.code).toBe(0);
    const messages = logMessages(run.stdout);
    expect(messages).toContain("stopping: finishing the current tick, then closing connections");
    expect(messages.slice(-2)).toEqual(["worker stopped", "stopped"]);
  });
});

describe("support-inbox start with a bad or missing config", () => {
  const cwd = mkdtempSync(join(tmpdir(), "si-badcfg-"));
  const write = (name: string, yaml: string) => {
    writeFileSync(join(cwd, name), yaml);
    return name;
  };
  const mailbox = (body: string) => `mailboxes:\n  - name: support\n    address: support@vendor.example\n    policy: vantiq\n${body}`;

  it.each([
    ["wrong type", write("port.yaml", mailbox("    kind: imap\n    imap: { host: h, port: abc, user: u, password: p }\n")), 'mailboxes[0].imap.port: expected a number, got the string "abc"'],
    ["unknown kind", write("kind.yaml", mailbox("    kind: pop3\n")), 'mailboxes[0].kind: unknown kind "pop3"; expected "imap" or "maildir"'],
    ["missing IMAP host", write("host.yaml", mailbox("    kind: imap\n    imap: { user: u, password: p }\n")), "mailboxes[0].imap.host: is required"],
    ["unknown policy", write("policy.yaml", "mailboxes:\n  - { name: s, kind: maildir, address: s@v.example, policy: nope, maildir: { path: ./m } }\n"), 'mailboxes[0].policy: unknown policy "nope"'],
  ])("%s: names the file and the field, exits non-zero", async (_label, file, expected) => {
    const run = await runCli(["--config", file, "start", "--once"], cwd);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`support-inbox: ${file}: ${expected}`);
    expect(existsSync(join(cwd, "data"))).toBe(false);
  });

  it("reports a missing --config file by name", async () => {
    const run = await runCli(["start", "--once", "--config", "missing.yaml"], cwd);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe("support-inbox: config file missing.yaml does not exist (given with --config or SUPPORT_INBOX_CONFIG)\n");
  });

  it("reports a missing SUPPORT_INBOX_CONFIG file and an unset ${VAR}", async () => {
    const missing = await runCli(["start", "--once"], cwd, cleanEnv({ SUPPORT_INBOX_CONFIG: "/etc/nowhere.yaml" }));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("/etc/nowhere.yaml does not exist");

    const file = write("env.yaml", "database:\n  url: ${SI_TEST_UNSET_URL}\n");
    const unset = await runCli(["--config", file, "start", "--once"], cwd);
    expect(unset.code).not.toBe(0);
    expect(unset.stderr).toContain(`${file}: database.url: environment variable SI_TEST_UNSET_URL is not set`);
  });
});
