/** A mailbox as its config describes it: its source (IMAP or Maildir), what inbound knows of it, how long its loop waits. */
import type { MailboxConfig } from "../config/schema.js";
import type { AppContext } from "../context.js";
import { oauth2Login } from "../auth/from-config.js";
import { ImapSource } from "./imap.js";
import { MaildirSource } from "./maildir.js";
import type { MailSource } from "./types.js";

export function createSource(m: MailboxConfig, ctx: AppContext, hooks: { onReconnect?: () => void } = {}): MailSource {
  const logger = ctx.logger.child({ subsystem: "mailbox", mailbox: m.name });
  if (m.kind === "maildir") return new MaildirSource({ name: m.name, path: m.maildir.path, clock: ctx.clock, logger });
  return new ImapSource({
    name: m.name,
    host: m.imap.host,
    port: m.imap.port,
    tls: m.imap.tls,
    user: m.imap.user,
    password: m.imap.password,
    oauth2: m.imap.auth && oauth2Login(m.imap.auth, m.imap.user, ctx.clock, `mailbox "${m.name}"`),
    folder: m.imap.folder,
    processedFolder: m.imap.move ? m.imap.processedFolder : null,
    quarantineFolder: m.imap.quarantineFolder,
    pollIntervalMs: m.imap.pollIntervalSeconds * 1000,
    clock: ctx.clock,
    logger,
    onReconnect: hooks.onReconnect,
  });
}

/**
 * How long a mailbox's loop waits for new mail before draining again anyway (which also retries mail
 * left unfinished by the last drain): the IMAP mailbox's pollIntervalSeconds; a Maildir has no such
 * setting and gets the IMAP default (its source still looks at new/ every second and wakes at once).
 */
export const DEFAULT_POLL_MS = 60_000;
export const mailboxPollMs = (m: MailboxConfig): number => (m.kind === "imap" ? m.imap.pollIntervalSeconds * 1000 : DEFAULT_POLL_MS);

export function mailboxInfo(m: MailboxConfig) {
  return {
    name: m.name,
    address: m.address,
    defaultPolicy: m.policy,
    folder: m.kind === "imap" ? m.imap.folder : "INBOX",
    usesCursor: m.kind === "imap",
  };
}
