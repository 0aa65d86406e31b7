/**
 * A real deployment in miniature: `support-inbox start --once` with a config file naming an IMAP
 * mailbox (a private Dovecot), an SMTP server (smtp-server in process) and, when TEST_DATABASE_URL is
 * set, Postgres. The directory is set up with the CLI, the request arrives over IMAP, and the
 * acknowledgment must come out of the SMTP server with the mail moved to Processed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dovecotSkipReason, startDovecot, type DovecotHarness } from "../../harness/dovecot.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { testDatabases, type TestDatabase } from "../support/db.js";
import { cleanEnv, runCli } from "./cli.js";

const skip = dovecotSkipReason();
if (skip) console.warn(`real-servers start test skipped: ${skip}`);
const fixture = readFileSync(join(import.meta.dirname, "..", "fixtures", "mail", "template-full-vantiq.eml"));
const targets = testDatabases();
const postgres = targets.find((t) => t.name === "postgres");

describe.skipIf(skip !== null)("support-inbox start against real IMAP and SMTP servers", () => {
  let imap: DovecotHarness;
  let smtp: TestSmtpServer;
  let pg: TestDatabase | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [imap, smtp] = await Promise.all([startDovecot(), startSmtpServer()]);
    dir = mkdtempSync(join(tmpdir(), "si-real-"));
    pg = postgres;
    if (pg) await pg.open();
    env = cleanEnv({ IMAP_PASSWORD: imap.password, ...(pg ? { DATABASE_URL: pg.options.url! } : {}) });
    writeFileSync(
      join(dir, "support-inbox.yaml"),
      [
        `database: { dataDir: '${join(dir, "data")}' }`,
        "mailboxes:",
        "  - name: support",
        "    kind: imap",
        "    address: support@vendor.example",
        "    policy: vantiq",
        `    imap: { host: 127.0.0.1, port: ${imap.port}, tls: false, user: ${imap.user}, password: '\${IMAP_PASSWORD}' }`,
        `smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false, pool: false }`,
        "supportDomain: support.vendor.example",
      ].join("\n"),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all([imap?.stop(), smtp?.stop(), pg?.close()]);
  });

  it("opens the case from IMAP, acknowledges it over SMTP and moves the mail to Processed", { timeout: 180_000 }, async () => {
    const cli = (...args: string[]) => runCli(args, dir, env);
    if (pg) expect((await cli("migrate")).code).toBe(0);
    expect((await cli("org", "add", "--name", "Acme", "--policy", "vantiq", "--domain", "customer.example", "--tz", "America/Los_Angeles")).code).toBe(0);
    expect((await cli("contact", "add", "--email", "jane.doe@customer.example", "--name", "Jane Doe", "--org", "Acme", "--dtc")).code).toBe(0);
    await imap.appendMessage(fixture);

    const run = await cli("start", "--once");
    expect(run.code, run.stderr).toBe(0);

    const [ack] = smtp.received;
    expect(smtp.received).toHaveLength(1);
    expect(ack!.envelopeTo).toEqual(["jane.doe@customer.example"]);
    expect(ack!.parsed.subject).toBe("Re: [Case #1] Event stream stops processing after namespace redeploy");
    expect(ack!.parsed.inReplyTo).toBe("<CAF9x2k1-full-template-001@mail.customer.example>");
    expect(ack!.parsed.messageId).toMatch(/@support\.vendor\.example>$/);
    expect(ack!.parsed.headers.get("auto-submitted")).toBe("auto-replied");
    expect(await imap.listFolder("INBOX")).toHaveLength(0);
    expect(await imap.listFolder("Processed")).toHaveLength(1);

    // Nothing is sent twice when the worker runs again.
    expect((await cli("start", "--once")).code).toBe(0);
    expect(smtp.received).toHaveLength(1);
    const cases = JSON.parse((await cli("case", "list", "--json")).stdout) as Array<{ number: number; severity: string }>;
    expect(cases).toMatchObject([{ number: 1, severity: "1" }]);
  });
});
