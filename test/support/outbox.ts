/** Outbox test support: queued mail, and a database with a real SMTP server behind a sender. */
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { NewOutgoing } from "../../src/outbox/queue.js";
import { createSmtpSender, type MailSender } from "../../src/outbox/sender.js";
import type { Db } from "../../src/store/database.js";
import { outbox } from "../../src/store/schema/index.js";
import type { TestDatabase } from "./db.js";
import { startSmtpServer, type TestSmtpServer } from "./smtp.js";

/** Acknowledgment n, with a Message-ID and idempotency key of its own. */
export function queuedAck(n: number, subject = "request"): NewOutgoing {
  return {
    idempotencyKey: `ack:${n}`,
    kind: "acknowledgment",
    caseId: null,
    from: "support@vendor.example",
    to: [`dtc${n}@customer.example`],
    subject: `Re: [Case #${n}] ${subject}`,
    messageId: `ack${n}@support.vendor.example`,
    headers: { "Auto-Submitted": "auto-replied" },
    text: `acknowledgment ${n}`,
  };
}

/** What an outbox test works with, filled in by the hooks useOutboxServers registers. */
export interface OutboxServers {
  db: Db;
  smtp: TestSmtpServer;
  sender: MailSender;
}

/**
 * The hooks of an outbox test file: the target's database, a real SMTP server and a sender to it for
 * the whole file; before each test an empty outbox and a server that accepts everything.
 */
export function useOutboxServers(target: TestDatabase, sender: { pool: boolean; timeoutSeconds: number }): OutboxServers {
  const servers = {} as OutboxServers;
  beforeAll(async () => {
    servers.db = await target.open();
    servers.smtp = await startSmtpServer();
    servers.sender = createSmtpSender({ host: servers.smtp.host, port: servers.smtp.port, secure: false, ...sender });
  });
  afterAll(async () => {
    await servers.sender.close();
    await servers.smtp.stop();
    await target.close();
  });
  beforeEach(async () => {
    await servers.db.delete(outbox);
    servers.smtp.received.length = 0;
    servers.smtp.failWith = null;
  });
  return servers;
}
