/** The outbox's sender as the config says: SMTP when there is an `smtp:` section, else .eml files. */
import { oauth2Login } from "../auth/from-config.js";
import type { Clock } from "../clock/clock.js";
import { SystemClock } from "../clock/clock.js";
import type { Config } from "../config/schema.js";
import { SEND_CONCURRENCY } from "./deliver.js";
import { createEmlSender, createSmtpSender, type MailSender } from "./sender.js";

/** `clock` drives OAuth2 token renewal; without one (CLI one-offs) the system clock. */
export function createSender(config: Config, clock: Clock = new SystemClock()): MailSender {
  if (!config.smtp) return createEmlSender(config.outboxDir);
  const { auth, ...smtp } = config.smtp;
  const password = auth && auth.type !== "oauth2" ? { user: auth.user, pass: auth.pass } : undefined;
  const oauth2 = auth?.type === "oauth2" ? oauth2Login(auth, auth.user, clock, "smtp") : undefined;
  return createSmtpSender({ host: smtp.host, port: smtp.port, secure: smtp.secure, auth: password, oauth2, pool: smtp.pool, maxConnections: SEND_CONCURRENCY });
}
