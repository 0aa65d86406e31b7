import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { oauth2Schema } from "../../src/config/schema.js";

const EXAMPLE = fileURLToPath(new URL("../../support-inbox.example.yaml", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "oauth2-config-"));

function configFile(imap: string): string {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `mailboxes:\n  - name: support\n    address: support@vendor.example\n    policy: vantiq\n    kind: imap\n    imap:\n      host: outlook.office365.com\n      user: support@vendor.example\n${imap}`,
  );
  return file;
}

describe("OAuth2 in the config", () => {
  it("support-inbox.example.yaml documents every field of every provider", () => {
    const text = readFileSync(EXAMPLE, "utf8");
    const documented = new Set([...text.matchAll(/^\s*#?\s*([A-Za-z]+):/gm)].map((m) => m[1]));
    const fields = oauth2Schema.options.flatMap((o) => Object.keys(o.shape));
    expect(fields.filter((f) => !documented.has(f))).toEqual([]);
    expect(text).toMatch(/provider: microsoft\s+# microsoft \| google \| command/);
  });

  it("takes a Microsoft mailbox with its secret from the environment, and defaults", () => {
    const file = configFile(
      "      auth:\n        type: oauth2\n        provider: microsoft\n        tenantId: t-1\n        clientId: c-1\n        clientSecret: ${MS_CLIENT_SECRET}\n",
    );
    const { config } = loadConfig({ path: file, env: { MS_CLIENT_SECRET: "from-env" } });
    const m = config.mailboxes[0]!;
    expect(m.kind === "imap" && m.imap.auth).toEqual({
      type: "oauth2",
      provider: "microsoft",
      tenantId: "t-1",
      clientId: "c-1",
      clientSecret: "from-env",
      renewBeforeSeconds: 300,
    });
  });

  it("names the file and the field when a provider lacks its credential", () => {
    const file = configFile("      auth:\n        type: oauth2\n        provider: microsoft\n        tenantId: t-1\n        clientId: c-1\n");
    expect(() => loadConfig({ path: file, env: {} })).toThrow(
      `${file}: mailboxes[0].imap.auth.clientSecret: give either clientSecret or certificate (one of them)`,
    );
  });

  it("names the field when a Google refresh-token setup is incomplete or the provider is unknown", () => {
    const google = configFile("      auth:\n        type: oauth2\n        provider: google\n        clientId: c\n        refreshToken: r\n");
    expect(() => loadConfig({ path: google, env: {} })).toThrow(/mailboxes\[0\]\.imap\.auth\.serviceAccountKeyFile: give either serviceAccountKeyFile, or clientId, clientSecret and refreshToken/);
    const unknown = configFile("      auth:\n        type: oauth2\n        provider: yahoo\n");
    expect(() => loadConfig({ path: unknown, env: {} })).toThrow(/mailboxes\[0\]\.imap\.auth\.provider: unknown provider "yahoo"; expected "microsoft" or "google" or "command"/);
  });

  it("wants a password or auth, not neither and not both", () => {
    expect(() => loadConfig({ path: configFile(""), env: {} })).toThrow(/mailboxes\[0\]\.imap\.password: give either password or auth/);
    const both = configFile("      password: p\n      auth:\n        type: oauth2\n        provider: command\n        command: /usr/local/bin/token\n");
    expect(() => loadConfig({ path: both, env: {} })).toThrow(/mailboxes\[0\]\.imap\.password: give either password or auth/);
  });
});
