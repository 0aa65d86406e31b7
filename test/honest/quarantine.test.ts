/**
 * Quarantine is visible: a message that fails three times is quarantined with its bytes, and the managers
 * (or notifications.quarantine) are mailed at once with the reason, the config key as written in the file
 * and how to retry; `quarantine retry` runs it through intake again exactly once. PGlite and Postgres.
 */
import { describe, expect, it } from "vitest";
import { drainSource } from "../../src/inbound/drain.js";
import { retryQuarantined } from "../../src/inbound/retry.js";
import { DEFAULT_PARSE_LIMITS } from "../../src/mail/message.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { listByDisposition } from "../../src/store/repos/quarantine.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, testDesk, useMaildirDesk, type MaildirDesk } from "../support/desk.js";
import { mailbox, request } from "./mail.js";

/** A request whose header block is over 2 KB: over a 1 KB limit, well under the default. */
const bigHeaders = (n: number) => request(n, "jane.doe@customer.example", [`X-Trace: ${"x".repeat(2000)}`]);
const tight = { ...DEFAULT_PARSE_LIMITS, maxHeaderBytes: 1024 };

async function quarantineOne(d: MaildirDesk, n: number, desk = testDesk()) {
  await deliverToMaildir(d.dir, bigHeaders(n));
  const deps = { ...inboundDeps(d.db, d.clock, desk), limits: tight };
  for (let attempt = 1; attempt <= 3; attempt++) await drainSource(deps, d.source, mailbox);
  const [row] = await listByDisposition(d.db, "quarantined", null);
  return row!;
}

describe.each(testDatabases())("quarantine on %s", (target) => {
  const d = useMaildirDesk(target);

  it("mails the managers at once with the reason, the key as written in the file and how to retry", async () => {
    const row = await quarantineOne(d, 1);
    expect(row).toMatchObject({ reasonCode: "processing-failed", attempts: 3 });
    expect(row.raw?.length).toBeGreaterThan(2000);
    const [notice] = (await listOutbox(d.db)).filter((r) => r.kind === "quarantine-notice");
    expect(notice!.to).toEqual(["mike@vendor.example"]);
    expect(notice!.text).toContain("raise limits.maxHeaderBytes in the config");
    expect(notice!.text).not.toContain("mail.limits");
    expect(notice!.text).toContain(`support-inbox quarantine retry ${row.id}`);
  });

  it("mails notifications.quarantine instead when it is set", async () => {
    await quarantineOne(d, 1, { ...testDesk(), quarantineRecipients: ["ops@vendor.example"] });
    const [notice] = (await listOutbox(d.db)).filter((r) => r.kind === "quarantine-notice");
    expect(notice!.to).toEqual(["ops@vendor.example"]);
  });

  it("retries exactly once: the second retry does nothing and says so", async () => {
    const row = await quarantineOne(d, 1);
    const deps = inboundDeps(d.db, d.clock); // the limit raised: the default again
    const mailboxOf = () => mailbox;
    const first = await retryQuarantined(deps, row.id, mailboxOf);
    expect(first).toMatchObject({ retried: true, outcome: "new-case" });
    const again = await retryQuarantined(deps, row.id, mailboxOf);
    expect(again).toMatchObject({ retried: false });
    expect(again.retried === false && again.why).toContain("already retried");
    expect(await listCases(d.db)).toHaveLength(1);
    expect((await listByDisposition(d.db, "quarantined", null))[0]!.retryOutcome).toMatch(/^new-case case #\d+$/);
  });

  it("a retry that fails again (the limit not yet raised) takes nothing; a concurrent pair runs it once", async () => {
    const row = await quarantineOne(d, 1);
    await expect(retryQuarantined({ ...inboundDeps(d.db, d.clock), limits: tight }, row.id, () => mailbox)).rejects.toThrow(/limits\.maxHeaderBytes/);
    const other = await target.connect();
    try {
      const results = await Promise.all([
        retryQuarantined(inboundDeps(d.db, d.clock), row.id, () => mailbox),
        retryQuarantined(inboundDeps(other.db, d.clock), row.id, () => mailbox),
      ]);
      expect(results.filter((r) => r.retried)).toHaveLength(1);
      expect(results.filter((r) => !r.retried)).toHaveLength(1);
      expect(await listCases(d.db)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it("refusals list --since shows only the refusals since then", async () => {
    const deps = inboundDeps(d.db, d.clock);
    await deliverToMaildir(d.dir, request(1, "m.rossi@customer.example"));
    await drainSource(deps, d.source, mailbox);
    const cut = new Date(d.clock.now() + 1000);
    d.clock.advance(60_000);
    await deliverToMaildir(d.dir, request(2, "m.rossi@customer.example"));
    await drainSource(deps, d.source, mailbox);
    const since = await listByDisposition(d.db, "refused", cut);
    expect(since.map((r) => r.subject)).toEqual(["Stream 2 stalls"]);
    expect(since[0]!.replyState).toBe("queued");
  });
});
