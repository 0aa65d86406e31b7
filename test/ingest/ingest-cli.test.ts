/**
 * `support-inbox ingest` as an MTA pipe runs it: the real CLI as a child process, one .eml on stdin, the
 * exit code as the verdict, on the embedded database and on real Postgres. The directory is seeded with
 * Acme (DTCs jane.doe and omar.haddad, non-DTC m.rossi, domain customer.example) on the VANTIQ policy.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/database.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listRejections } from "../../src/store/repos/mailboxes.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { messages } from "../../src/store/schema/index.js";
import { seedAcme } from "../support/desk.js";
import { runWithStdin } from "./cli.js";
import { ingestTargets } from "./targets.js";

const fixture = (name: string) => readFile(join(import.meta.dirname, "..", "fixtures", "mail", name));
const T = 60_000;

async function counts(db: Db) {
  return {
    cases: (await listCases(db)).length,
    outbox: (await listOutbox(db)).length,
    messages: (await db.select().from(messages)).length,
    rejections: (await listRejections(db)).length,
  };
}

describe.each(ingestTargets())("support-inbox ingest on %s", (target) => {
  const ingest = (args: string[], raw: Buffer) => runWithStdin(["ingest", ...args], raw, target.dir, target.env);
  let caseNumber: number;

  beforeAll(async () => {
    await target.setup();
    await target.withDb((db) => seedAcme(db));
  }, T);
  afterAll(() => target.teardown());

  it("--dry-run --json prints the decision for a DTC's template and writes nothing", async () => {
    const run = await ingest(["--dry-run", "--json"], await fixture("template-full-vantiq.eml"));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const key of ["from", "subject", "classification", "authorization", "organization", "thread", "fields", "severity", "caseType", "missingFields", "attachments", "text"]) {
      expect(json).toHaveProperty(key);
    }
    expect(json).toMatchObject({
      from: "jane.doe@customer.example",
      subject: "Event stream stops processing after namespace redeploy",
      classification: "normal",
      authorization: "dtc",
      organization: "Acme",
      thread: "new",
      severity: { id: "1", source: "field" },
      caseType: "incident",
      missingFields: [],
      attachments: [{ filename: "ProcessSensorReading.json", size: 97, contentType: "application/json" }],
    });
    expect(json.fields).toMatchObject({ severity: "1", environment: "production / public cloud", namespaces: "acme_prod, acme_shared" });
    expect((json.severity as { reason: string }).reason).toMatch(/severity field/);
    expect(json.text).toContain("Steps to reproduce:");
    expect(await target.withDb(counts)).toEqual({ cases: 0, outbox: 0, messages: 0, rejections: 0 });
  }, T);

  it("without --json prints the same decision for a person to read", async () => {
    const run = await ingest(["--dry-run"], await fixture("template-sev1-development.eml"));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^authorization: +dtc$/m);
    expect(run.stdout).toMatch(/^severity: +\S+ \(downgrade: /m);
    expect(run.stdout).toMatch(/^thread: +new$/m);
    expect(await target.withDb(counts)).toEqual({ cases: 0, outbox: 0, messages: 0, rejections: 0 });
  }, T);

  it("stores a DTC's request as a new case with one acknowledgment, and a second copy as a duplicate", async () => {
    const raw = await fixture("template-full-vantiq.eml");
    const first = await ingest([], raw);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const [opened] = await target.withDb((db) => listCases(db));
    caseNumber = opened!.number;
    expect(first.stdout).toBe(`new-case case #${caseNumber} <CAF9x2k1-full-template-001@mail.customer.example>\n`);
    expect(opened).toMatchObject({ severity: "1", severitySource: "field", status: "open", subject: "Event stream stops processing after namespace redeploy" });

    const again = await ingest(["--json"], raw);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ outcome: "duplicate", caseNumber, messageId: "CAF9x2k1-full-template-001@mail.customer.example", mailbox: "support" });
    await target.withDb(async (db) => {
      expect(await listCases(db)).toHaveLength(1);
      const acks = (await listOutbox(db)).filter((r) => r.kind === "acknowledgment");
      expect(acks).toHaveLength(1);
      expect(acks[0]!.to).toEqual(["jane.doe@customer.example"]);
    });
  }, T);

  it("--dry-run on a reply carrying the case token names the case it would join", async () => {
    const reply = Buffer.from((await fixture("gmail-reply-quoted.eml")).toString("latin1").replaceAll("[Case #1042]", `[Case #${caseNumber}]`), "latin1");
    const before = await target.withDb(counts);
    const run = await ingest(["--dry-run", "--json"], reply);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ thread: caseNumber, authorization: "dtc", organization: "Acme", outcome: "thread", severity: null });
    expect(await target.withDb(counts)).toEqual(before);
  }, T);

  it("answers a non-DTC colleague with a refusal and still exits 0 (the message is stored)", async () => {
    const run = await ingest(["--mailbox", "partners", "--json"], await fixture("template-markdown-bold.eml"));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "refuse", caseNumber: null, mailbox: "partners" });
    const [rejection] = await target.withDb((db) => listRejections(db));
    expect(rejection).toMatchObject({ mailbox: "partners", disposition: "refused", reasonCode: "non-dtc" });
  }, T);

  it("a DTC's mail whose text decodes to a NUL is stored, the NUL dropped, and exits 0 (an MTA would retry a 75 for ever)", async () => {
    const raw = Buffer.from(
      "From: jane.doe@customer.example\r\nTo: support@vendor.example\r\nSubject: [Sev3] nul in the text\r\nMessage-ID: <ingest-nul@customer.example>\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8Ad29ybGQK\r\n",
    );
    const run = await ingest(["--json"], raw);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "new-case", messageId: "ingest-nul@customer.example" });
    const stored = await target.withDb((db) => db.select({ id: messages.messageId, text: messages.text }).from(messages));
    expect(stored).toContainEqual({ id: "ingest-nul@customer.example", text: "helloworld\n" });
  }, T);

  it("a message that cannot be parsed exits 1 with the reason and is kept, raw bytes and all, as quarantined", async () => {
    const raw = Buffer.from(`X-Junk: ${"a".repeat(100 * 1024)}\r\nFrom: jane.doe@customer.example\r\nSubject: broken\r\n\r\nbody\r\n`);
    const before = await target.withDb(counts);
    const run = await ingest([], raw);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/message not accepted: message header block is \d+ bytes, over the limit of 65536/);
    expect(run.stderr).toMatch(/quarantined rejection #\d+/);
    await target.withDb(async (db) => {
      const [rejection] = await listRejections(db, { limit: 1 });
      expect(rejection).toMatchObject({ mailbox: "support", disposition: "quarantined", reasonCode: "E_MAIL_HEADERS_TOO_LARGE" });
      expect(Buffer.from(rejection!.raw!).equals(raw)).toBe(true);
      // Kept, and the managers told of it at once: one quarantine notice queued.
      expect(await counts(db)).toEqual({ ...before, rejections: before.rejections + 1, outbox: before.outbox + 1 });
      expect((await listOutbox(db)).filter((r) => r.kind === "quarantine-notice").map((r) => r.subject)).toContainEqual(expect.stringMatching(/^Quarantined \(ID \d+\)/));
    });
  }, T);
});

describe("support-inbox ingest when the desk cannot take mail", () => {
  const targets = ingestTargets();
  const target = targets[0]!;
  beforeAll(() => target.setup(), T);
  afterAll(() => target.teardown());

  it("exits 75 (EX_TEMPFAIL) when the database is down, so the MTA retries", async () => {
    const env = { ...target.env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/support" };
    const run = await runWithStdin(["ingest"], await fixture("template-full-vantiq.eml"), target.dir, env);
    expect(run.code).toBe(75);
    expect(run.stderr).toContain("cannot connect to Postgres at postgres://postgres@127.0.0.1:1/support");
    expect(run.stderr).toContain("the MTA keeps the message and retries");
  }, T);

  it("exits 75 for a mailbox the config does not name, listing the ones it does", async () => {
    const run = await runWithStdin(["ingest", "--mailbox", "sales"], await fixture("template-full-vantiq.eml"), target.dir, target.env);
    expect(run.code).toBe(75);
    expect(run.stderr).toContain('no mailbox named "sales" in the config (configured: support, partners)');
  }, T);

  it("exits 75 run outside the worker's directory on the embedded defaults, creating no database there", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "ingest-elsewhere-"));
    const run = await runWithStdin(["ingest"], await fixture("template-full-vantiq.eml"), elsewhere);
    expect(run.code).toBe(75);
    expect(run.stderr).toContain(`no embedded database at ${join(elsewhere, "data")}`);
    expect(run.stderr).toContain("directory= in master.cf");
    expect(existsSync(join(elsewhere, "data"))).toBe(false);
  }, T);
});
