import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/load.js";
import { configSchema } from "../../src/config/schema.js";

const EXAMPLE = fileURLToPath(new URL("../../support-inbox.example.yaml", import.meta.url));

describe("support-inbox.example.yaml", () => {
  it("is a valid config once its secrets are in the environment", () => {
    const { config, embedded } = loadConfig({ path: EXAMPLE, env: { IMAP_PASSWORD: "i", SMTP_PASSWORD: "s" } });
    expect(embedded).toEqual({ database: false, mailbox: false, outbox: false });
    expect(config.mailboxes.map((m) => m.kind)).toEqual(["imap", "maildir"]);
    expect(config.smtp?.auth).toEqual({ user: "support@vendor.example", pass: "s" });
  });

  it("names every top-level field of the schema", () => {
    const text = readFileSync(EXAMPLE, "utf8");
    const documented = new Set([...text.matchAll(/^#? ?([A-Za-z]+):/gm)].map((m) => m[1]));
    const fields = Object.keys(configSchema.in.shape);
    expect(fields.filter((f) => !documented.has(f))).toEqual([]);
    expect(Object.keys(parse(text) as object).length).toBeGreaterThan(10);
  });

  it("refuses to load without the secrets it references", () => {
    expect(() => loadConfig({ path: EXAMPLE, env: {} })).toThrow(/mailboxes\[0\]\.imap\.password: environment variable IMAP_PASSWORD is not set/);
  });
});
