/**
 * `support-inbox ingest --received-at`, as an MTA that queued a message passes it: the real CLI as a child
 * process, on PGlite and Postgres. The case counts from the MTA's receipt, not from the call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listCases } from "../../src/store/repos/cases.js";
import { listEvents } from "../../src/store/repos/events.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { seedAcme } from "../support/desk.js";
import { runWithStdin } from "./cli.js";
import { ingestTargets } from "./targets.js";

const T = 60_000;
const request = Buffer.from(
  [
    "From: Jane Doe <jane.doe@customer.example>",
    "To: support@vendor.example",
    "Subject: Stream stalls after redeploy",
    "Message-ID: <received-at-1@customer.example>",
    "Date: Tue, 10 Nov 2026 06:00:00 -0800",
    "",
    "Name: Jane Doe",
    "Company: Acme",
    "Severity: 2",
    "Environment: production",
    "Steps to reproduce: redeploy the namespace",
    "",
  ].join("\r\n"),
);

describe.each(ingestTargets())("support-inbox ingest --received-at on %s", (target) => {
  const ingest = (args: string[], raw: Buffer) => runWithStdin(["ingest", ...args], raw, target.dir, target.env);

  beforeAll(async () => {
    await target.setup();
    await target.withDb((db) => seedAcme(db));
  }, T);
  afterAll(() => target.teardown());

  it("refuses an instant without an offset with EX_TEMPFAIL, storing nothing", async () => {
    const run = await ingest(["--received-at", "2026-11-10T09:00:00"], request);
    expect(run.code).toBe(75);
    expect(run.stderr).toContain("--received-at");
    expect(await target.withDb((db) => listCases(db))).toEqual([]);
  }, T);

  it("a message received at 09:00 and piped in later is due from 09:00; its past breach goes to the managers in one summary", async () => {
    // Received Tue 10 Nov 2026 09:00 Pacific (weeks before this run's real clock): a backlog.
    const run = await ingest(["--received-at", "2026-11-10T09:00:00-08:00"], request);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    await target.withDb(async (db) => {
      const [opened] = await listCases(db);
      expect(opened!.openedAt.toISOString()).toBe("2026-11-10T17:00:00.000Z");
      expect((await listEvents(db, opened!.id)).find((e) => e.kind === "opened")!.at.toISOString()).toBe("2026-11-10T17:00:00.000Z");
      const mail = await listOutbox(db);
      const ack = mail.find((m) => m.kind === "acknowledgment");
      // VANTIQ Severity 2: 4 business hours from 09:00 Pacific, whatever the Date: header (06:00) or the call say.
      expect(ack!.text).toContain("Our first response is due by Tue 10 Nov 2026, 13:00 PST");
      const summaries = mail.filter((m) => m.kind === "past-breaches");
      expect(summaries.map((m) => m.to)).toEqual([["mike@vendor.example"]]);
      expect(summaries[0]!.text).toContain(`[Case #${opened!.number}] Acme, Severity 2`);
      expect(mail.filter((m) => m.kind === "reminder" || m.kind === "breach-alert")).toEqual([]);
      expect(opened!.remindersSent).toEqual(["initial-response:0:0.5", "initial-response:0:0.8", "initial-response:0:1"]);
    });
  }, T);
});
