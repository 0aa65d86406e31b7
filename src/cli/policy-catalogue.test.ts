/**
 * Every command that names a policy reads one catalogue: the bundled policies plus the config's
 * policies.dirs (found through the global --config), and fails the same way for an unknown id.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
let dir: string;
let config: string;

/** The CLI in a fresh working directory (no ./support-inbox.yaml), with the test's config only. */
function run(...args: string[]) {
  const env = { ...process.env };
  delete env.SUPPORT_INBOX_CONFIG;
  delete env.DATABASE_URL;
  return spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/cli/main.ts"), ...args], { encoding: "utf8", cwd: dir, env });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "policy-catalogue-"));
  mkdirSync(join(dir, "policies"));
  const vantiq = readFileSync(join(root, "policies/vantiq.yaml"), "utf8");
  writeFileSync(join(dir, "policies/acme-custom.yaml"), vantiq.replace("id: vantiq", "id: acme-custom").replace("name: VANTIQ Technical Support", "name: Acme Custom Support"));
  config = join(dir, "support-inbox.test.yaml");
  writeFileSync(config, `policies:\n  dirs: [${JSON.stringify(join(dir, "policies"))}]\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a policy from the config's policies.dirs", () => {
  it("sla due answers for it with --config", () => {
    const r = run("--config", config, "sla", "due", "--policy", "acme-custom", "--severity", "1", "--at", "2026-11-23T10:00:00-08:00");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("policy:   acme-custom (Acme Custom Support)");
    expect(r.stdout).toMatch(/initial-response\s+due 2026-11-23T/);
  });

  it("calendar open answers for it with --config given after the command", () => {
    const r = run("calendar", "open", "--policy", "acme-custom", "--at", "2026-11-21T10:00:00-08:00", "--json", "--config", config);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      policy: "acme-custom",
      zone: "America/Los_Angeles",
      at: "2026-11-21T10:00:00-08:00",
      open: false,
      nextOpening: "2026-11-23T08:00:00-08:00",
    });
  });

  it("policy list and show know it with --config", () => {
    const list = run("--config", config, "policy", "list", "--json");
    expect(list.status).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((p) => p.id)).toContain("acme-custom");
    const show = run("--config", config, "policy", "show", "acme-custom");
    expect(show.status).toBe(0);
    expect(show.stdout).toContain("Acme Custom Support");
  });
});

describe("an unknown policy id", () => {
  const commands: Record<string, string[]> = {
    "sla due": ["sla", "due", "--policy", "nope", "--severity", "1", "--at", "2026-11-23T10:00:00-08:00"],
    "calendar open": ["calendar", "open", "--policy", "nope", "--at", "2026-11-23T10:00:00-08:00"],
    "policy show": ["policy", "show", "nope"],
  };
  it.each(Object.keys(commands))("fails %s with the one E_POLICY_UNKNOWN message, naming the configured policies too", (name) => {
    const r = run("--config", config, ...commands[name]!);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^support-inbox: no policy "nope"; known policies: ciq-premium, .*vantiq, acme-custom \(the bundled ones plus the directories under policies\.dirs in the config\)\n$/);
  });
});
