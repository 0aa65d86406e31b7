/**
 * The digest against a real database (PGlite, and Postgres when TEST_DATABASE_URL is set): the seeded
 * week loads, evaluates and renders to exactly the expected breaches, risks, counts and attainment, and
 * the daily job queues one digest per manager and local day however often (and by how many workers) it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { digestKey, digestTick, previewDigest } from "../../src/digest/job.js";
import { loadDigestCases } from "../../src/digest/load.js";
import * as store from "../../src/store/index.js";
import type { Db } from "../../src/store/index.js";
import { testDatabases } from "../support/db.js";
import { NOW, seedWeek, testDesk, type Seeded } from "./seed.js";

const iso = (t: number) => new Date(t).toISOString().replace(".000", "");
const quiet = { info: () => {}, warn: () => {}, error: (o: object) => console.error(o) };

describe.each(testDatabases())("daily digest on %s", (target) => {
  let db: Db;
  let people: Seeded;
  const desk = testDesk();

  beforeAll(async () => {
    db = await target.open();
    people = await seedWeek(db);
  });
  afterAll(() => target.close());

  it("loads open and recently touched cases and evaluates them", async () => {
    const { cases, skipped } = await loadDigestCases(db, desk.policies, NOW);
    expect(skipped).toEqual([]);
    expect(cases.map((c) => c.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("as of an earlier instant, sees only the cases and events that existed then", async () => {
    const mondayNoon = Date.parse("2026-03-09T12:00:00Z");
    const { cases } = await loadDigestCases(db, desk.policies, mondayNoon);
    expect(cases.map((c) => c.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6]);
    const first = cases.find((c) => c.number === 1)!;
    expect(first.metrics.find((m) => m.metric === "initial-response")?.state).toBe("running");
  });

  it("previews the New York manager's digest: exactly the week's breaches, risks, counts and attainment", async () => {
    const { data, subject, text, html } = await previewDigest(db, desk, people.ny, NOW);
    expect(data.breaches.map((b) => [b.caseNumber, b.metric, iso(b.dueAt), b.outcome, b.lateMs / 60_000])).toEqual([
      // Case 6 is still open with both targets missed last week: carried into every digest.
      [6, "initial-response", "2026-03-05T13:00:00Z", "still open", 1440],
      [6, "resolution", "2026-03-06T17:00:00Z", "still open", 720],
      [1, "initial-response", "2026-03-09T14:00:00Z", "met late", 90],
      [2, "initial-response", "2026-03-09T16:00:00Z", "still open", 300],
      [3, "resolution", "2026-03-10T10:00:00Z", "still open", 180],
    ]);
    expect(data.atRisk.map((r) => `#${r.caseNumber} ${r.metric}`)).toEqual([
      "#7 initial-response",
      "#5 initial-response",
      "#7 workaround",
      "#1 resolution",
      "#2 resolution",
      "#7 resolution",
    ]);
    expect(data.openBySeverity).toEqual([
      { label: "test: Severity 1", count: 1 },
      { label: "test: Severity 2", count: 5 },
    ]);
    expect(data.openByOrganization.map((r) => `${r.label}: ${r.count}`)).toEqual(["Acme & <Co>: 3", "Initech: 2", "Globex: 1"]);
    expect(data.attainment).toEqual([
      { severity: "test: Severity 2", last7: { met: 1, total: 6, rate: 1 / 6 }, last30: { met: 3, total: 8, rate: 3 / 8 } },
    ]);
    expect(subject).toBe("SLA digest 2026-03-10: 5 breaches, 6 at risk");
    // Due times read in the manager's zone (EDT since 8 March).
    expect(text).toMatch(/^#2\s+Globex\s+test: Severity 2\s+first response\s+Mon 9 Mar 2026, 12:00 EDT\s+still open\s+21 h\s+5 h$/m);
    expect(html).not.toMatch(/<script|<img|https?:\/\//i);
    expect(html).toContain("Login &lt;script&gt;alert(1)&lt;/script&gt; fails");
  });

  describe("digestTick", () => {
    const clock = new ManualClock(NOW); // 09:00 in New York, 13:00 UTC, 06:00 in Los Angeles

    const digests = async () => (await store.listOutbox(db)).filter((r) => r.kind === "digest");

    it("queues one digest per manager whose 08:00 has passed, in the same transaction as the day's record", async () => {
      expect(await digestTick({ db, desk, clock, logger: quiet })).toEqual({ queued: 2, quiet: 0, failed: 0 });
      const rows = await digests();
      expect(rows.map((r) => r.to[0]).sort()).toEqual(["nora@vendor.example", "uma@vendor.example"]);
      const nora = rows.find((r) => r.to[0] === "nora@vendor.example")!;
      expect(nora.idempotencyKey).toBe(digestKey(people.ny.id, "2026-03-10"));
      expect(nora.subject).toBe("SLA digest 2026-03-10: 5 breaches, 6 at risk");
      expect(nora.headers["Auto-Submitted"]).toBe("auto-generated");
      expect(nora.caseId).toBeNull();
      expect(await store.digestWasSent(db, people.ny.id, "2026-03-10")).toBe(true);
      expect(await store.digestWasSent(db, people.la.id, "2026-03-10")).toBe(false);
    });

    it("does not send again when called again the same day", async () => {
      clock.set("2026-03-10T14:00:00Z");
      expect(await digestTick({ db, desk, clock, logger: quiet })).toEqual({ queued: 0, quiet: 0, failed: 0 });
      expect(await digests()).toHaveLength(2);
    });

    it("two workers ticking at once queue the Los Angeles digest once", async () => {
      clock.set("2026-03-10T15:00:00Z"); // 08:00 in Los Angeles
      const other = await target.connect();
      try {
        const results = await Promise.all([
          digestTick({ db, desk, clock, logger: quiet }),
          digestTick({ db: other.db, desk, clock, logger: quiet }),
        ]);
        expect(results.map((r) => r.queued).sort()).toEqual([0, 1]);
      } finally {
        await other.close();
      }
      const luis = (await digests()).filter((r) => r.to[0] === "luis@vendor.example");
      expect(luis.map((r) => r.idempotencyKey)).toEqual([digestKey(people.la.id, "2026-03-10")]);
    });

    it("the next local day is a new digest", async () => {
      clock.set("2026-03-11T12:00:00Z"); // 08:00 Wednesday in New York
      expect(await digestTick({ db, desk, clock, logger: quiet })).toMatchObject({ queued: 2 });
      expect((await digests()).map((r) => r.idempotencyKey)).toContain(digestKey(people.ny.id, "2026-03-11"));
    });

    it("a quiet day sends nothing when sendEmpty is off, and the short note when it is on", async () => {
      // Every case resolved since (a breach still open stays in every digest), nothing runs any more.
      await db.update(store.schema.cases).set({ status: "resolved" });
      clock.set("2026-06-01T16:00:00Z");
      expect(await digestTick({ db, desk, clock, logger: quiet, sendEmpty: false })).toEqual({ queued: 0, quiet: 3, failed: 0 });
      expect(await store.digestWasSent(db, people.ny.id, "2026-06-01")).toBe(true);
      expect((await digests()).filter((r) => r.idempotencyKey.endsWith("2026-06-01"))).toEqual([]);

      clock.set("2026-06-02T16:00:00Z");
      expect(await digestTick({ db, desk, clock, logger: quiet, sendEmpty: true })).toMatchObject({ queued: 3 });
      const note = (await digests()).find((r) => r.idempotencyKey === digestKey(people.ny.id, "2026-06-02"))!;
      expect(note.subject).toBe("SLA digest 2026-06-02: no breaches");
      expect(note.text).toContain("No SLA breaches in the last 24 hours");
      expect(note.text).toContain("Open cases: 0.");
    });
  });
});
