/**
 * A serialization failure or deadlock is the database's doing, not the message's: the inbound loop
 * retries it and never counts it toward the three failures that quarantine a message. The failures are
 * real ones, raised by the server from a trigger on the messages table (SQLSTATE 40001), a set number of
 * times (a sequence counts them: it is not rolled back with the failing transaction).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { drainSource } from "../../src/inbound/drain.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { cases, inboundRejections, processingAttempts } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const request = (id: string) =>
  Buffer.from(`From: jane.doe@customer.example\r\nTo: ${SUPPORT}\r\nSubject: [Sev2] broken ${id}\r\nMessage-ID: <${id}@customer.example>\r\n\r\nPlease help.\r\n`);

describe.each(testDatabases())("transient database errors in the inbound loop on %s", (target) => {
  const desk = useMaildirDesk(target);

  /** The next `n` inserts into messages fail with a serialization failure. */
  async function failNextInserts(n: number) {
    const statements = [
      "drop sequence if exists transient_failures",
      "create sequence transient_failures",
      `create or replace function fail_transiently() returns trigger language plpgsql as $$
      begin
        if nextval('transient_failures') <= ${n} then
          raise exception 'simulated serialization failure' using errcode = '40001';
        end if;
        return new;
      end $$`,
      "drop trigger if exists fail_transiently on messages",
      "create trigger fail_transiently before insert on messages for each row execute function fail_transiently()",
    ];
    for (const statement of statements) await desk.db.execute(sql.raw(statement));
  }

  beforeEach(() => failNextInserts(0));
  afterEach(() => desk.db.execute(sql`drop trigger if exists fail_transiently on messages`));

  it("retries the transaction and opens the case, with no failure recorded", async () => {
    await failNextInserts(2);
    await deliverToMaildir(desk.dir, request("retried-1"));
    const summary = await drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox);
    expect(summary).toMatchObject({ processed: 1, failed: 0, quarantined: 0 });
    expect(await desk.db.select().from(cases)).toHaveLength(1);
    expect(await desk.db.select().from(processingAttempts)).toEqual([]);
  });

  it("never quarantines a message for failures that are all transient", async () => {
    await failNextInserts(1000);
    await deliverToMaildir(desk.dir, request("stuck-1"));
    for (let drain = 0; drain < 4; drain++) {
      expect(await drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox)).toMatchObject({ processed: 0, quarantined: 0 });
    }
    expect(await desk.db.select().from(processingAttempts)).toEqual([]);
    expect(await desk.db.select().from(inboundRejections)).toEqual([]);
    expect(await readdir(join(desk.dir, "new"))).toHaveLength(1);
    // Once the database recovers, the message goes through.
    await failNextInserts(0);
    expect(await drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox)).toMatchObject({ processed: 1, quarantined: 0 });
    expect(await desk.db.select().from(cases)).toHaveLength(1);
  });
});
