/**
 * Outgoing Message-IDs are unique per installation: case #1's acknowledgment in two fresh databases has two
 * different ids (a mail client hides a second mail with a known id as a duplicate), while a send that is
 * retried keeps the id its row was queued with. Real pipeline, real SMTP server, PGlite and Postgres.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { processRawMessage } from "../../src/inbound/process.js";
import { deliverDue } from "../../src/outbox/deliver.js";
import { createSmtpSender } from "../../src/outbox/sender.js";
import { migrate, openDatabase, type Database } from "../../src/store/database.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { testDatabases, type TestDatabase } from "../support/db.js";
import { inboundDeps, seedAcme } from "../support/desk.js";
import { startSmtpServer } from "../support/smtp.js";
import { mailbox, request } from "./mail.js";

const quiet = { info() {}, warn() {}, error() {} };

/** A database made and migrated from nothing, as `support-inbox migrate` makes a new installation's. */
async function freshInstallation(target: TestDatabase): Promise<Database & { drop(): Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (target.name === "pglite" || !url) {
    const database = await openDatabase({ dataDir: "memory://" });
    await migrate(database);
    return { ...database, drop: () => database.close() };
  }
  const name = `si_fresh_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openDatabase({ url: u.toString(), dataDir: "memory://", maxConnections: 2 });
  await migrate(database);
  return {
    ...database,
    drop: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

async function firstAcknowledgment(database: Database, clock: ManualClock) {
  await seedAcme(database.db);
  const { applied } = await processRawMessage(inboundDeps(database.db, clock), mailbox, request(1), { receivedAt: clock.now() });
  expect(applied).toMatchObject({ outcome: "new-case", caseNumber: 1 });
  const [ack] = (await listOutbox(database.db)).filter((r) => r.kind === "acknowledgment");
  return ack!;
}

describe.each(testDatabases())("Message-IDs on %s", (target) => {
  it("differ between two fresh installations for case #1, and a retried send keeps its row's id", async () => {
    const clock = new ManualClock("2026-11-10T17:14:30Z");
    const [one, two] = [await freshInstallation(target), await freshInstallation(target)];
    const smtp = await startSmtpServer();
    const sender = createSmtpSender({ host: smtp.host, port: smtp.port, secure: false, pool: false, timeoutSeconds: 2 });
    try {
      const [ackOne, ackTwo] = [await firstAcknowledgment(one, clock), await firstAcknowledgment(two, clock)];
      expect(ackOne.idempotencyKey).toBe(ackTwo.idempotencyKey);
      expect(ackOne.messageId).not.toBe(ackTwo.messageId);
      expect(ackOne.messageId).toMatch(/^[0-9a-f]{32}@support-inbox\.local$/);

      // The first attempt fails for a while; the retry sends the row with the id it was queued with. The case
      // also queued the engineers' new-case mail: two rows, each retried once.
      smtp.failWith = 451;
      const retry = { baseMs: 1000, maxDelayMs: 60_000, maxAttempts: 5 };
      expect(await deliverDue({ db: one.db, sender, clock, logger: quiet, retry, random: () => 0 })).toMatchObject({ sent: 0, retried: 2 });
      smtp.failWith = null;
      clock.advance(60_000);
      expect(await deliverDue({ db: one.db, sender, clock, logger: quiet, retry })).toMatchObject({ sent: 2 });
      expect(smtp.received.map((m) => m.parsed.messageId)).toContain(`<${ackOne.messageId}>`);
      const stored = (await listOutbox(one.db, { caseId: ackOne.caseId! })).find((r) => r.kind === "acknowledgment");
      expect(stored).toMatchObject({ state: "sent", attempts: 2, messageId: ackOne.messageId });
    } finally {
      await sender.close();
      await smtp.stop();
      await one.drop();
      await two.drop();
    }
    // Two databases migrated from nothing: slow on a busy machine, not a timing assertion.
  }, 180_000);
});
