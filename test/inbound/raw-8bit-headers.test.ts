/**
 * Raw 8-bit headers (issue 12): a subject or name written by an old client in its local charset without
 * encoded words is read by detection, never stored as U+FFFD. Real mail bytes (.eml fixtures) through the
 * real pipeline: a Maildir drained by drainSource into each test database, the case and the
 * acknowledgment's subject checked as a person would read them.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { drainSource } from "../../src/inbound/drain.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { createContact } from "../../src/store/repos/contacts.js";
import { cases, messages, organizations, outbox } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/mail/${name}`, import.meta.url)));

const FIXTURES = [
  { file: "raw-8bit-subject-gb2312-foxmail.eml", from: "zhang.wei@customer.example", subject: "[Sev2] 生产环境服务器无法启动，请尽快处理" },
  { file: "raw-8bit-subject-latin1-undeclared.eml", from: "francois.dupre@customer.example", subject: "[Sev3] Problème de connexion après la mise à jour" },
  { file: "raw-8bit-subject-shift-jis.eml", from: "taro.tanaka@customer.example", subject: "[Sev3] 本番環境でサーバーが起動しません" },
  { file: "raw-8bit-subject-big5.eml", from: "meiling.chen@customer.example", subject: "[Sev3] 資料庫連線逾時問題" },
];

describe.each(testDatabases())("raw 8-bit headers on %s", (target) => {
  const desk = useMaildirDesk(target);

  it.each(FIXTURES)("$file: the case and its acknowledgment carry the subject as written", async ({ file, from, subject }) => {
    const [acme] = await desk.db.select().from(organizations).where(eq(organizations.name, "Acme"));
    await createContact(desk.db, { email: from, name: "", organizationId: acme!.id, dtc: true });
    await deliverToMaildir(desk.dir, fixture(file));
    expect(await drainSource(inboundDeps(desk.db, desk.clock), desk.source, mailbox)).toMatchObject({ processed: 1, failed: 0 });
    const [kase] = await desk.db.select().from(cases);
    expect(kase!.subject).toBe(subject);
    const [stored] = await desk.db.select().from(messages);
    expect(stored!.subject).toBe(subject);
    expect(stored!.subject).not.toContain("\ufffd");
    const [ack] = await desk.db.select().from(outbox);
    expect(ack!.subject).toContain(subject);
    expect(ack!.text).toContain(`opened case ${kase!.number}: "${subject}"`);
  });
});
