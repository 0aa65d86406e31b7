/**
 * The digest through the real pipeline (Maildir → inbound → scheduler → digest job, on PGlite and Postgres):
 * a breach from Friday is still in Monday's digest and gone once the target is met; the digest counts the
 * mail refused and quarantined since the manager's previous one; severity labels carry their policy.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { digestTick } from "../../src/digest/job.js";
import { drainSource } from "../../src/inbound/drain.js";
import { schedulerTick } from "../../src/scheduler/tick.js";
import { deliverToMaildir } from "../../src/sources/maildir.js";
import { listCases } from "../../src/store/repos/cases.js";
import { listOutbox } from "../../src/store/repos/outbox.js";
import { testDatabases } from "../support/db.js";
import { inboundConfig, inboundDeps, SUPPORT, useMaildirDesk } from "../support/desk.js";

const fixture = (name: string) => readFile(join(import.meta.dirname, "..", "fixtures", "mail", name));
const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const quiet = { info() {}, warn() {}, error(o: object) { console.error(o); }, debug() {}, child() { return quiet; } } as never;

describe.each(testDatabases())("open breaches in the daily digest on %s", (target) => {
  const desk = useMaildirDesk(target);

  const deps = () => ({ ...inboundDeps(desk.db, desk.clock), config: { ...inboundConfig, authservId: "mx.vendor.example" } });
  const drain = () => drainSource(deps(), desk.source, mailbox);
  /** The worker's SLA and digest jobs at `iso`; returns the text of the digest queued for Mike (the New York manager), if any. */
  async function tickAt(iso: string): Promise<string | null> {
    desk.clock.set(Date.parse(iso));
    const d = deps();
    await schedulerTick({ db: desk.db, desk: d.desk, clock: desk.clock, logger: quiet });
    const before = new Set((await listOutbox(desk.db)).map((r) => r.id));
    await digestTick({ db: desk.db, desk: d.desk, clock: desk.clock, logger: quiet });
    const digest = (await listOutbox(desk.db)).find((r) => r.kind === "digest" && !before.has(r.id));
    return digest?.text ?? null;
  }

  it("carries Friday's open breach into Monday's digest and drops it once met; counts refused and quarantined mail since the last digest", async () => {
    // Friday's digest (08:00 New York) goes out before any mail.
    expect(await tickAt("2026-11-13T13:30:00Z")).toContain("SLA digest for 2026-11-13");
    // Fri 09:00 Pacific: Jane's Severity 1 (first response due 13:00 Pacific), a non-DTC's request, a DMARC failure.
    desk.clock.set(Date.parse("2026-11-13T17:00:00Z"));
    await deliverToMaildir(desk.dir, await fixture("template-full-vantiq.eml"));
    await deliverToMaildir(desk.dir, Buffer.from(["From: Marco Rossi <m.rossi@customer.example>", `To: ${SUPPORT}`, "Subject: Please help", "Message-ID: <marco-1@customer.example>", "", "Our export fails.", ""].join("\r\n")));
    await deliverToMaildir(desk.dir, await fixture("dmarc-fail-auth-results.eml"));
    expect(await drain()).toMatchObject({ processed: 3, quarantined: 1 });
    const [opened] = await listCases(desk.db);
    const row = new RegExp(`^#${opened!.number}\\s+Acme\\s+vantiq: Severity 1 \\(Business-critical\\)\\s+first response\\s+Fri 13 Nov 2026, 16:00 EST\\s+still open\\s+(.+?)\\s{2,}`, "m");

    const saturday = (await tickAt("2026-11-14T13:30:00Z"))!;
    expect(saturday).toMatch(row);
    expect(saturday).toContain("Refused:     1 (non-dtc 1)");
    expect(saturday).toContain("Quarantined: 1 (unverified-sender 1)");
    expect(saturday).toContain("vantiq: Severity 1 (Business-critical)  1");

    await tickAt("2026-11-15T13:30:00Z");
    const monday = (await tickAt("2026-11-16T13:30:00Z"))!;
    // Due Friday 13:00 Pacific (21:00 UTC): breached for 2 days 16 h 30 min by Monday 13:30 UTC, and still listed.
    expect(row.exec(monday)?.[1]).toBe("2 days 16 h 30 min");
    // Nothing refused or quarantined since Sunday's digest.
    expect(monday).toContain("Refused:     0\nQuarantined: 0");

    // Monday 09:00 Pacific: Alice answers; the first response is met (late), and Tuesday's digest no longer lists it.
    desk.clock.set(Date.parse("2026-11-16T17:00:00Z"));
    const answer = [
      "From: Alice Engineer <alice@vendor.example>",
      `To: ${SUPPORT}`,
      `Subject: Re: [Case #${opened!.number}] Event stream stops processing after namespace redeploy`,
      "Message-ID: <alice-answer-1@vendor.example>",
      "",
      "Hello Jane, we are looking at the stream now.",
      "",
    ].join("\r\n");
    await deliverToMaildir(desk.dir, Buffer.from(answer));
    expect(await drain()).toMatchObject({ processed: 1, failed: 0 });
    const tuesday = (await tickAt("2026-11-17T13:30:00Z"))!;
    expect(tuesday).toContain("SLA digest for 2026-11-17");
    expect(tuesday).not.toMatch(new RegExp(`^#${opened!.number}\\s+Acme\\s+vantiq: Severity 1 \\(Business-critical\\)\\s+first response`, "m"));
  });
});
