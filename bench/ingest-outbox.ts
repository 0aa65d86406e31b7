/**
 * The outbox alone, as the worker runs it: N acknowledgments queued in Postgres database si_bench_outbox,
 * then deliverAllDue (the worker's settings) to the ingest bench's smtp-server child. Prints mails/s and the
 * CPU milliseconds per mail of this process (the sender) and of the database's backends, so a change to the
 * sender can be judged without the whole ingest run around it.
 *
 *   npx tsx bench/ingest-outbox.ts [--n 3000] [--smoke] [--concurrency 8] [--batch 100]
 */
import { execFileSync } from "node:child_process";
import { cpuUsage } from "node:process";
import { SystemClock } from "../src/clock/clock.js";
import { deliverAllDue, SEND_CONCURRENCY, SEND_BATCH } from "../src/outbox/deliver.js";
import { enqueueMany, type NewOutgoing } from "../src/outbox/queue.js";
import { createSmtpSender } from "../src/outbox/sender.js";
import { migrate, openDatabase } from "../src/store/database.js";
import { postgresBackends, ProcessSetCpu } from "./ingest-cpu.js";
import { startAckSink, duplicates } from "./ingest-smtp.js";
import postgres from "postgres";

const DB = "si_bench_outbox";

function ack(n: number): NewOutgoing {
  return {
    idempotencyKey: `ack:${n}`,
    kind: "acknowledgment",
    caseId: null,
    from: "support@vendor.example",
    to: [`dtc${n % 97}@customer${n % 13}.example`],
    subject: `Re: [Case #${n}] Bench request ${n}`,
    messageId: `ack${n}@support.vendor.example`,
    inReplyTo: `bench-${n}@customer.example`,
    headers: { "Auto-Submitted": "auto-replied" },
    text: `Thank you for your request. Case ${n} is open.\n`.repeat(20),
  };
}

async function main(argv: string[]) {
  const arg = (flag: string, fallback: number) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : fallback);
  const n = arg("--n", argv.includes("--smoke") ? 100 : 3000);
  const concurrency = arg("--concurrency", SEND_CONCURRENCY);
  const batchSize = arg("--batch", SEND_BATCH);
  const adminUrl = process.env.TEST_DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/test";
  console.log(`uptime:    ${execFileSync("uptime", { encoding: "utf8" }).trim()} (before)`);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DB} with (force)`);
  await admin.unsafe(`create database ${DB}`);
  await admin.end();
  const url = Object.assign(new URL(adminUrl), { pathname: `/${DB}` }).toString();
  const database = await openDatabase({ url, dataDir: "memory://" });
  const sink = await startAckSink();
  const sender = createSmtpSender({ host: "127.0.0.1", port: sink.port, secure: false, pool: true });
  const backends = postgresBackends(adminUrl, DB);
  const pg = new ProcessSetCpu(backends.list);
  try {
    await migrate(database);
    const clock = new SystemClock();
    await enqueueMany(database.db, Array.from({ length: n }, (_, i) => ack(i)), clock.now());
    await pg.baseline();
    const cpu0 = cpuUsage();
    const t0 = Date.now();
    const quiet = { info() {}, warn() {}, error() {} };
    const summary = await deliverAllDue({ db: database.db, sender, clock, logger: quiet, concurrency, batchSize });
    const seconds = (Date.now() - t0) / 1000;
    const cpu = cpuUsage(cpu0);
    const pgSeconds = await pg.seconds();
    const accepted = await sink.accepted();
    console.log(`outbox:    ${n} acknowledgments, concurrency ${concurrency}, batch ${batchSize}: ${summary.sent} sent in ${seconds.toFixed(2)} s = ${(summary.sent / seconds).toFixed(0)} mails/s, ${summary.passes} passes`);
    console.log(`  cpu:     sender ${(((cpu.user + cpu.system) / 1000) / n).toFixed(2)} ms/mail, Postgres backends ${((pgSeconds * 1000) / n).toFixed(2)} ms/mail`);
    const twice = duplicates(accepted);
    if (accepted.length !== n || twice.length > 0) throw new Error(`the SMTP server accepted ${accepted.length} of ${n} (${twice.length} twice)`);
  } finally {
    pg.stop();
    await backends.close();
    await sender.close();
    await sink.close();
    await database.close();
    console.log(`uptime:    ${execFileSync("uptime", { encoding: "utf8" }).trim()} (after)`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
