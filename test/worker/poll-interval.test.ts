/**
 * A mailbox's loop waits for new mail as long as its config says (pollIntervalSeconds), not a fixed
 * minute: that wait is also how soon mail left unfinished by a drain is tried again. The IMAP source's
 * fetch and wait are stubbed (no server needed to see which timeout the loop asks for); the rest is the
 * wiring `start` runs, on an embedded database.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { configSchema, type MailboxConfig } from "../../src/config/schema.js";
import { createContext } from "../../src/context.js";
import { silentLogger } from "../../src/log/logger.js";
import { ImapSource } from "../../src/sources/imap.js";
import { buildWorker } from "../../src/worker/jobs.js";
import { DEFAULT_POLL_MS, mailboxPollMs } from "../../src/sources/from-config.js";

const imapMailbox = (imap: Record<string, unknown> = {}) => ({
  name: "support",
  kind: "imap",
  address: "support@vendor.example",
  policy: "vantiq",
  imap: { host: "127.0.0.1", port: 1, tls: false, user: "support", password: "x", ...imap },
});

const mailboxOf = (mailbox: unknown): MailboxConfig => configSchema.parse({ mailboxes: [mailbox] }).mailboxes[0]!;

describe("the poll interval of a mailbox", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is the IMAP mailbox's pollIntervalSeconds, the schema's default when unset, and the same default for a Maildir", () => {
    expect(mailboxPollMs(mailboxOf(imapMailbox({ pollIntervalSeconds: 7 })))).toBe(7_000);
    expect(mailboxPollMs(mailboxOf(imapMailbox()))).toBe(60_000);
    expect(mailboxPollMs(mailboxOf({ name: "support", kind: "maildir", address: "support@vendor.example", policy: "vantiq", maildir: { path: "./m" } }))).toBe(DEFAULT_POLL_MS);
  });

  it("is the timeout the running inbound loop waits for new mail with", async () => {
    const dir = await mkdtemp(join(tmpdir(), "si-poll-"));
    const config = configSchema.parse({ database: { dataDir: "memory://" }, mailboxes: [imapMailbox({ pollIntervalSeconds: 7 })], outboxDir: join(dir, "outbox"), log: { level: "silent" } });
    const ctx = await createContext(config, { logger: silentLogger(), migrate: true });
    const controller = new AbortController();
    const waits: number[] = [];
    vi.spyOn(ImapSource.prototype, "fetchBatch").mockResolvedValue({ messages: [], cursor: { uidValidity: "1", lastUid: "0" }, uidValidityChanged: false });
    vi.spyOn(ImapSource.prototype, "waitForNew").mockImplementation(async (_signal: AbortSignal, timeoutMs: number) => {
      waits.push(timeoutMs);
      controller.abort();
    });
    const wiring = buildWorker(ctx, { once: false });
    try {
      await wiring.services.find((s) => s.name === "inbound:support")!.run(controller.signal);
      expect(waits).toEqual([7_000]);
    } finally {
      await wiring.close();
      await ctx.close();
    }
  });
});
