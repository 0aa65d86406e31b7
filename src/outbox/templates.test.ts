import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTemplateRenderer } from "./templates.js";

const ack = {
  requesterName: "Dana <script>alert(1)</script>",
  caseNumber: 1042,
  caseToken: "[Case #1042]",
  subject: "Namespace <b>prod</b> down",
  severity: {
    name: "Severity 2",
    downgraded: true,
    reason: "Severity 1, from the severity field. Severity 1 applies only to production environments, so this request is handled as Severity 2.",
    requestedName: "Severity 1",
    changeReason: "Severity 1 applies only to production environments, so this request is handled as Severity 2.",
  },
  firstResponse: { due: "Mon 23 Nov 2026 10:00 PST", target: "4 business hours", coverage: "weekdays 08:00–18:00 Pacific" },
  missingFields: ["VANTIQ version", "Namespace(s)"],
  droppedAttachments: [{ filename: "dump.bin", size: "61 MB" }],
  policyName: "VANTIQ",
  supportAddress: "support@vendor.example",
};

describe("mail templates", () => {
  it("renders the acknowledgment with due time, downgrade reason and missing fields", () => {
    const { text } = createTemplateRenderer().render("acknowledgment", ack);
    expect(text).toContain("opened case 1042");
    // The severity once, and what was asked for and why it changed.
    expect(text).toContain("Severity: Severity 2\nYou asked for Severity 1. Severity 1 applies only to production environments, so this request is handled as Severity 2.");
    expect(text).toContain("Our first response is due by Mon 23 Nov 2026 10:00 PST (4 business hours, weekdays 08:00–18:00 Pacific).");
    expect(text).toContain("  - VANTIQ version");
    expect(text).toContain("  - dump.bin (61 MB)");
  });

  it("escapes customer-supplied strings in HTML", () => {
    const { html } = createTemplateRenderer().render("acknowledgment", ack);
    expect(html).not.toContain("<script>");
    expect(html).toContain("Dana &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("Namespace &lt;b&gt;prod&lt;/b&gt; down");
  });

  it("prefers a deployment's template of the same name", () => {
    const dir = mkdtempSync(join(tmpdir(), "tpl-"));
    writeFileSync(join(dir, "refusal.txt.hbs"), "Custom refusal for {{senderAddress}}");
    const { text, html } = createTemplateRenderer({ overrideDir: dir }).render("refusal", { senderAddress: "x@y.example", subject: "s" });
    expect(text).toBe("Custom refusal for x@y.example\n");
    expect(html).toContain("We could not find a support agreement for x@y.example");
  });
});
