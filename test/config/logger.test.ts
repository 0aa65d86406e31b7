import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { bodyPreview, createLogger } from "../../src/log/logger.js";

function capture(level: "info" | "debug") {
  let out = "";
  const destination = new Writable({
    write(chunk: Buffer, _enc, next) {
      out += chunk.toString();
      next();
    },
  });
  return { logger: createLogger({ log: { level } }, { destination, pretty: false }), output: () => out };
}

describe("logger", () => {
  it("redacts passwords, tokens, SMTP auth and database URL credentials", () => {
    const { logger, output } = capture("info");
    logger.child({ subsystem: "config" }).info(
      {
        config: {
          database: { url: "postgres://si:hunter2@db.internal:5432/si" },
          smtp: { host: "smtp.v.example", auth: { user: "u", pass: "smtp-secret" } },
          mailboxes: [{ imap: { password: "imap-secret" } }],
        },
        password: "top-secret",
        token: "tok-123",
        headers: { authorization: "Bearer abc" },
      },
      "loaded",
    );
    const text = output();
    for (const secret of ["hunter2", "smtp-secret", "top-secret", "tok-123", "Bearer abc"]) expect(text).not.toContain(secret);
    const line = JSON.parse(text) as Record<string, any>;
    expect(line.subsystem).toBe("config");
    expect(line.config.database.url).toBe("postgres://si:***@db.internal:5432/si");
    expect(line.config.smtp.auth).toBe("[redacted]");
  });

  it("gives a body preview only at debug level", () => {
    const body = "Our production cluster is down.\n\nSteps:\n1. deploy\n" + "x".repeat(500);
    expect(bodyPreview(capture("info").logger, body)).toBeUndefined();
    const preview = bodyPreview(capture("debug").logger, body);
    expect(preview?.startsWith("Our production cluster is down. Steps: 1. deploy")).toBe(true);
    expect(preview?.length).toBe(201);
  });
});
