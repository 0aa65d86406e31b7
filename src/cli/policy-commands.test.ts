/** `support-inbox policy …` run as a user runs it: a real process, its output and exit code. */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = (...args: string[]) =>
  spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/cli/main.ts"), "policy", ...args], { encoding: "utf8", cwd: root });

describe("support-inbox policy", () => {
  it("check prints ok and exits 0 for a bundled policy", () => {
    const r = run("check", join(root, "policies/konneqt-basic.yaml"));
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: "ok\n" });
  });

  it("check prints one line per error naming file and field, and exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
    try {
      const file = join(dir, "broken.yaml");
      const text = readFileSync(join(root, "policies/vantiq.yaml"), "utf8");
      writeFileSync(file, text.replace('zone: America/Los_Angeles', 'zone: Pacific/Nowhere').replace('defaultSeverity: "4"', 'defaultSeverity: "9"'));
      const r = run("check", file);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`${file}: calendar.zone: unknown time zone "Pacific/Nowhere"`);
      expect(r.stderr).toContain(`${file}: defaultSeverity: unknown severity "9"`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("list --json names the seven bundled policies", () => {
    const r = run("list", "--json");
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ id: string }>).map((p) => p.id)).toEqual([
      "ciq-premium", "ciq-standard", "infotecs-basic", "infotecs-premium", "konneqt-basic", "konneqt-enterprise", "vantiq",
    ]);
  });

  it("show prints the calendar and the targets table", () => {
    const r = run("show", "ciq-premium");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("open Mon–Fri 08:00–18:00");
    expect(r.stdout).toMatch(/incident\s+1\s+24x7\s+entitlement named-contact\s+30 minutes\s+1 hour/);
    expect(r.stdout).toMatch(/incident\s+1\s+business\s+1 business hour\s+1 business hour/);
  });

  it("show of an unknown id fails and lists the known ones", () => {
    const r = run("show", "acme");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no policy "acme"; known policies: ciq-premium');
  });
});
