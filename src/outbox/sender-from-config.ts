/** The outbox's sender as the config says: SMTP when there is an `smtp:` section, else .eml files. */
import type { Config } from "../config/schema.js";
import { createEmlSender, createSmtpSender, type MailSender } from "./sender.js";

export function createSender(config: Config): MailSender {
  return config.smtp
    ? createSmtpSender({ host: config.smtp.host, port: config.smtp.port, secure: config.smtp.secure, auth: config.smtp.auth, pool: config.smtp.pool })
    : createEmlSender(config.outboxDir);
}
