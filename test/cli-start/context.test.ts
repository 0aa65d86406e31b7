import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { createCliContext } from "../../src/context.js";

describe("createCliContext", () => {
  it("wires config, clock, policies and a migrated database, and creates the local folders", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "si-context-"));
    const file = join(dir, "config.yaml");
    writeFileSync(
      file,
      [
        "database: { dataDir: 'memory://' }",
        `mailboxes: [{ name: s, kind: maildir, address: s@v.example, policy: vantiq, maildir: { path: '${join(dir, "mail")}' } }]`,
        `outboxDir: '${join(dir, "out")}'`,
      ].join("\n"),
    );
    const clock = new ManualClock("2025-03-03T09:00:00Z");
    const ctx = await createCliContext({ configPath: file, env: {}, migrate: true, clock });
    try {
      expect(ctx.clock).toBe(clock);
      expect(ctx.config.mailboxes[0]?.name).toBe("s");
      expect(ctx.policies.has("vantiq")).toBe(true);
      expect(ctx.database.kind).toBe("pglite");
      // Throws "relation does not exist" unless the migrations ran.
      await expect(ctx.database.db.execute(sql`select 1 from organizations limit 1`)).resolves.toBeDefined();
      for (const sub of ["mail/new", "mail/cur", "mail/tmp", "out"]) expect(statSync(join(dir, sub)).isDirectory(), sub).toBe(true);
    } finally {
      await ctx.close();
      await ctx.close();
    }
  });
});
