import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { AppError, ValidationError } from "../../src/errors.js";

function configFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "si-config-"));
  const file = join(dir, "support-inbox.yaml");
  writeFileSync(file, yaml);
  return file;
}

function validationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

const imapMailbox = (imap: string) => `
mailboxes:
  - name: support
    kind: imap
    address: support@vendor.example
    policy: vantiq
    imap:
${imap}
`;

describe("loadConfig: embedded defaults", () => {
  it("uses the embedded defaults when the default file is absent", () => {
    const cwd = process.cwd();
    process.chdir(mkdtempSync(join(tmpdir(), "si-empty-")));
    try {
      const loaded = loadConfig({ env: {} });
      expect(loaded.file).toBeNull();
      expect(loaded.embedded).toEqual({ database: true, mailbox: true, outbox: true });
      expect(loaded.config.database).toEqual({ dataDir: "./data" });
      expect(loaded.config.mailboxes).toEqual([
        { name: "support", kind: "maildir", address: "support@localhost", policy: "vantiq", maildir: { path: "./var/maildir" } },
      ]);
      expect(loaded.config.outboxDir).toBe("./var/outbox");
      expect(loaded.config.from).toBe("support@localhost");
    } finally {
      process.chdir(cwd);
    }
  });

  it("treats an empty file as all defaults", () => {
    const file = configFile("");
    const { config, embedded } = loadConfig({ path: file, env: {} });
    expect(embedded).toEqual({ database: true, mailbox: true, outbox: true });
    expect(config.caseToken).toBe("[Case #{number}]");
    expect(config.supportDomain).toBe("support-inbox.local");
    expect(config.limits).toEqual({ maxMessageBytes: 50 * 1024 * 1024, maxAttachments: 50, maxHeaderBytes: 64 * 1024 });
    expect(config.scheduler.tickSeconds).toBe(30);
    expect(config.digest).toEqual({ localTime: "08:00", sendEmpty: true });
    expect(config.autoReplyCapPerHour).toBe(5);
    expect(config.unknownSenders).toBe("reply");
    expect(config.log.level).toBe("info");
  });

  it("fills IMAP defaults and leaves embedded flags off for what is configured", () => {
    const file = configFile(`${imapMailbox("      host: imap.vendor.example\n      user: support\n      password: s3cret")}
smtp:
  host: smtp.vendor.example
database:
  url: postgres://si@db/si
`);
    const { config, embedded } = loadConfig({ path: file, env: {} });
    expect(embedded).toEqual({ database: false, mailbox: false, outbox: false });
    const mailbox = config.mailboxes[0];
    expect(mailbox?.kind === "imap" && mailbox.imap).toMatchObject({
      port: 993, tls: true, folder: "INBOX", processedFolder: "Processed", quarantineFolder: "Quarantine", move: true, idle: true, pollIntervalSeconds: 60,
    });
    expect(config.from).toBe("support@vendor.example");
    expect(config.smtp).toMatchObject({ port: 587, secure: false, pool: true });
  });
});

describe("loadConfig: file selection", () => {
  it("names a missing explicitly given file", () => {
    expect(() => loadConfig({ path: "/nonexistent/si.yaml", env: {} })).toThrow(AppError);
    expect(() => loadConfig({ path: "/nonexistent/si.yaml", env: {} })).toThrow(/\/nonexistent\/si\.yaml does not exist/);
  });

  it("reads SUPPORT_INBOX_CONFIG when --config is not given, and --config wins over it", () => {
    const fromEnv = configFile("supportDomain: env.example\n");
    const fromFlag = configFile("supportDomain: flag.example\n");
    expect(loadConfig({ env: { SUPPORT_INBOX_CONFIG: fromEnv } }).config.supportDomain).toBe("env.example");
    expect(loadConfig({ path: fromFlag, env: { SUPPORT_INBOX_CONFIG: fromEnv } }).config.supportDomain).toBe("flag.example");
    expect(() => loadConfig({ env: { SUPPORT_INBOX_CONFIG: "/nonexistent/env.yaml" } })).toThrow(/env\.yaml does not exist/);
  });
});

describe("loadConfig: validation errors name the file and the field", () => {
  it("reports a wrong type at its path", () => {
    const file = configFile(imapMailbox("      host: imap.vendor.example\n      port: abc\n      user: u\n      password: p"));
    const error = validationError(() => loadConfig({ path: file, env: {} }));
    expect(error.file).toBe(file);
    expect(error.issues).toEqual([{ path: "mailboxes[0].imap.port", message: 'expected a number, got the string "abc"' }]);
    expect(error.message).toBe(`${file}: mailboxes[0].imap.port: expected a number, got the string "abc"`);
  });

  it("reports an unknown mailbox kind", () => {
    const file = configFile("mailboxes:\n  - name: a\n    kind: pop3\n    address: a@b.example\n    policy: vantiq\n");
    const error = validationError(() => loadConfig({ path: file, env: {} }));
    expect(error.issues).toEqual([{ path: "mailboxes[0].kind", message: 'unknown kind "pop3"; expected "imap" or "maildir"' }]);
  });

  it("reports a missing IMAP host", () => {
    const file = configFile(imapMailbox("      user: u\n      password: p"));
    const error = validationError(() => loadConfig({ path: file, env: {} }));
    expect(error.issues).toEqual([{ path: "mailboxes[0].imap.host", message: "is required (expected a string)" }]);
  });

  it("reports misspelt keys, bad enums, bad zones and YAML syntax", () => {
    const error = validationError(() =>
      loadConfig({ path: configFile("unknownSenders: ignore\ntimeZone: Mars/Base\nlimits:\n  maxMesageBytes: 5\n"), env: {} }),
    );
    expect(error.issues.map((i) => i.path).sort()).toEqual(["limits", "timeZone", "unknownSenders"]);
    expect(error.message).toContain('limits: unknown field "maxMesageBytes"');
    expect(error.message).toContain('unknownSenders: expected one of "reply", "silent", got the string "ignore"');
    expect(error.message).toContain("timeZone: unknown IANA time zone");

    const syntax = validationError(() => loadConfig({ path: configFile("database: [\n"), env: {} }));
    expect(syntax.message).toMatch(/YAML syntax error at line \d+/);
  });

  it("rejects duplicate mailbox names", () => {
    const box = (n: number) => `  - { name: support, kind: maildir, address: s${n}@v.example, policy: vantiq, maildir: { path: ./m${n} } }\n`;
    const error = validationError(() => loadConfig({ path: configFile("mailboxes:\n" + box(1) + box(2)), env: {} }));
    expect(error.issues).toEqual([{ path: "mailboxes[1].name", message: 'duplicate mailbox name "support"' }]);
  });
});

describe("loadConfig: environment", () => {
  const yaml = imapMailbox("      host: ${IMAP_HOST}\n      port: ${IMAP_PORT:-143}\n      tls: ${IMAP_TLS:-false}\n      user: support\n      password: ${IMAP_PASSWORD}");

  it("substitutes ${VAR} and ${VAR:-default}, converting numbers and booleans", () => {
    const { config } = loadConfig({ path: configFile(yaml), env: { IMAP_HOST: "imap.v.example", IMAP_PASSWORD: "pa$$word" } });
    const mailbox = config.mailboxes[0];
    expect(mailbox?.kind === "imap" && mailbox.imap).toMatchObject({ host: "imap.v.example", port: 143, tls: false, password: "pa$$word" });
  });

  it("names the field and the variable when a variable is unset", () => {
    const file = configFile(yaml);
    const error = validationError(() => loadConfig({ path: file, env: { IMAP_HOST: "h" } }));
    expect(error.message).toBe(`${file}: mailboxes[0].imap.password: environment variable IMAP_PASSWORD is not set (referenced as \${IMAP_PASSWORD})`);
  });

  it("keeps $${ as a literal ${", () => {
    const { config } = loadConfig({ path: configFile("supportDomain: a$${B}c\n"), env: {} });
    expect(config.supportDomain).toBe("a${B}c");
  });

  it("lets DATABASE_URL set or override database.url", () => {
    const url = "postgres://postgres@127.0.0.1:5432/test";
    const fromEnv = loadConfig({ path: configFile("database:\n  url: postgres://other/db\n  dataDir: ./d\n"), env: { DATABASE_URL: url } });
    expect(fromEnv.config.database).toEqual({ url, dataDir: "./d" });
    expect(fromEnv.embedded.database).toBe(false);
    expect(loadConfig({ path: configFile(""), env: { DATABASE_URL: url } }).config.database.url).toBe(url);
  });
});
