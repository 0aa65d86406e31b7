/**
 * The scheduler's claim: due cases oldest first, and on real Postgres two workers claiming at the
 * same time get disjoint cases (FOR UPDATE SKIP LOCKED) instead of waiting or double-processing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as store from "../../src/store/index.js";
import type { Db } from "../../src/store/index.js";
import { testDatabases } from "../support/db.js";

const at = (iso: string) => new Date(iso);
const now = at("2025-03-03T12:00:00Z");

describe.each(testDatabases())("due cases on %s", (target) => {
  let db: Db;
  const numbers: Record<string, number> = {};

  beforeAll(async () => {
    db = await target.open();
    const org = await store.createOrganization(db, { name: "Acme", policyId: "p" });
    const contact = await store.createContact(db, { email: "a@acme.example", name: "A", organizationId: org.id, dtc: true });
    const base = {
      organizationId: org.id, requesterId: contact.id, caseType: "incident", severity: "2", severitySource: "default",
      policyId: "p", openedAt: at("2025-03-03T08:00:00Z"), updatedAt: at("2025-03-03T08:00:00Z"),
    };
    const nextActions: Record<string, Date | null> = {
      late: at("2025-03-03T10:00:00Z"),
      oldest: at("2025-03-03T09:00:00Z"),
      exactlyNow: now,
      future: at("2025-03-03T12:00:01Z"),
      idle: null,
    };
    for (const [subject, nextActionAt] of Object.entries(nextActions)) {
      numbers[subject] = (await store.createCase(db, { ...base, subject, nextActionAt })).number;
    }
  });
  afterAll(() => target.close());

  it("returns the cases whose next action is due, oldest first, up to the limit", async () => {
    const all = await db.transaction((tx) => store.lockDueCases(tx, now, 10));
    expect(all.map((c) => c.subject)).toEqual(["oldest", "late", "exactlyNow"]);
    const two = await db.transaction((tx) => store.lockDueCases(tx, now, 2));
    expect(two.map((c) => c.subject)).toEqual(["oldest", "late"]);
  });

  if (target.name !== "postgres") {
    console.warn("due-cases: the SKIP LOCKED test needs two connections; PGlite has one, so it runs on Postgres only (TEST_DATABASE_URL).");
  }
  it.runIf(target.name === "postgres")("skips cases another transaction holds, without waiting for it", async () => {
    const other = await target.connect();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimedFirst!: (subjects: string[]) => void;
    const firstClaim = new Promise<string[]>((resolve) => (claimedFirst = resolve));
    const first = db.transaction(async (tx) => {
      claimedFirst((await store.lockDueCases(tx, now, 2)).map((c) => c.subject));
      await held;
    });
    expect(await firstClaim).toEqual(["oldest", "late"]);
    const second = await other.db.transaction((tx) => store.lockDueCases(tx, now, 10));
    release();
    await first;
    expect(second.map((c) => c.subject)).toEqual(["exactlyNow"]);
  });
});
