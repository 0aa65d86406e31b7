import { describe, expect, it } from "vitest";
import { createTemplateRenderer } from "../outbox/templates.js";
import type { DigestData } from "./build.js";
import { digestSubject, renderDigest } from "./render.js";

const NOW = Date.parse("2026-03-10T13:00:00Z");
const none = { met: 0, total: 0, rate: null };

function data(overrides: Partial<DigestData> = {}): DigestData {
  return {
    now: NOW,
    zone: "America/New_York",
    day: "2026-03-10",
    breaches: [
      {
        caseNumber: 12,
        subject: 'VPN <img src="http://evil.example/x.png"> & <script>alert(1)</script>',
        organization: "Acme & <Co>",
        severity: "Severity 2",
        metric: "initial-response",
        cycle: 0,
        dueAt: Date.parse("2026-03-09T14:00:00Z"),
        outcome: "met late",
        metAt: Date.parse("2026-03-09T15:30:00Z"),
        lateMs: 90 * 60_000,
        breachedMs: null,
      },
    ],
    atRisk: [],
    openTotal: 3,
    openBySeverity: [
      { label: "Severity 1", count: 1 },
      { label: "Severity 2", count: 2 },
    ],
    openByOrganization: [{ label: "Acme & <Co>", count: 3 }],
    attainment: [{ severity: "Severity 2", last7: { met: 1, total: 4, rate: 0.25 }, last30: { met: 3, total: 4, rate: 0.75 } }],
    attainmentTotal: { last7: { met: 1, total: 4, rate: 0.25 }, last30: { met: 3, total: 4, rate: 0.75 } },
    empty: false,
    intake: null,
    nearQuota: [],
    ...overrides,
  };
}

const templates = createTemplateRenderer();

describe("renderDigest", () => {
  const mail = renderDigest(templates, data());

  it("has a subject that counts breaches and cases at risk", () => {
    expect(mail.subject).toBe("SLA digest 2026-03-10: 1 breach, 0 at risk");
    expect(digestSubject(data({ breaches: [], empty: true }))).toBe("SLA digest 2026-03-10: no breaches");
  });

  it("text part: a plain table with the breach, due time in the manager's zone and lateness", () => {
    const row = mail.text.split("\n").find((l) => l.startsWith("#12"))!;
    expect(row).toMatch(/^#12\s+Acme & <Co>\s+Severity 2\s+first response\s+Mon 9 Mar 2026, 10:00 EDT\s+met late\s+-\s+1 h 30 min$/);
    expect(mail.text).toMatch(/^Severity 2\s+25 %\s+4\s+75 %\s+4$/m);
    expect(mail.text).toContain("Nothing due before the end of the next business day.");
  });

  it("HTML part: tables and inline styles only, no script, no remote image, customer strings escaped", () => {
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.html).not.toMatch(/<img/i);
    expect(mail.html).not.toMatch(/src=["']?https?:/i);
    expect(mail.html).not.toMatch(/class=/i);
    expect(mail.html).toContain("Acme &amp; &lt;Co&gt;");
    expect(mail.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("HTML bars are table cells whose widths are the shares", () => {
    expect(mail.html).toContain('<td width="25%" style="background:#2e7d32');
    expect(mail.html).toContain('<td width="75%" style="background:#e0e0e0');
    expect(mail.html).toContain('<td width="50%" style="background:#1f5fa8'); // 1 of 2 at most, severity 1
  });

  it("lists at most MAX_ROWS breaches and counts the rest", () => {
    const one = data().breaches[0]!;
    const many = renderDigest(templates, data({ breaches: Array.from({ length: 150 }, (_, i) => ({ ...one, caseNumber: i + 1 })) }));
    expect(many.subject).toBe("SLA digest 2026-03-10: 150 breaches, 0 at risk");
    expect(many.text).toContain("…and 50 more.");
    expect(many.text).toMatch(/^#100\s/m);
    expect(many.text).not.toMatch(/^#101\s/m);
    expect(many.html).toContain("…and 50 more.");
  });

  it("shows how long a still-open breach has lasted, and the refused and quarantined mail since the last digest", () => {
    const one = data().breaches[0]!;
    const open = { ...one, caseNumber: 7, outcome: "still open" as const, metAt: null, dueAt: Date.parse("2026-03-06T21:00:00Z"), breachedMs: 88 * 3_600_000 };
    const intake = { since: Date.parse("2026-03-09T12:00:00Z"), refused: [{ label: "non-dtc", count: 2 }], quarantined: [{ label: "unverified-sender", count: 1 }], refusedTotal: 2, quarantinedTotal: 1 };
    const m = renderDigest(templates, data({ breaches: [open], intake }));
    expect(m.text).toContain("BREACHES: STILL OPEN (1), OR DUE IN THE LAST 24 HOURS (1)");
    expect(m.text).toMatch(/^#7\s+Acme & <Co>\s+Severity 2\s+first response\s+Fri 6 Mar 2026, 16:00 EST\s+still open\s+3 days 16 h\s+1 h 30 min$/m);
    expect(m.text).toContain("MAIL REFUSED OR QUARANTINED SINCE Mon 9 Mar 2026, 08:00 EDT\nRefused:     2 (non-dtc 2)\nQuarantined: 1 (unverified-sender 1)");
    expect(m.html).toContain("<td>3 days 16 h</td>");
    expect(m.html).toContain("Mail refused or quarantined since Mon 9 Mar 2026, 08:00 EDT");
  });

  it("an empty day is a short 'no breaches' note", () => {
    const empty = renderDigest(templates, data({ breaches: [], atRisk: [], empty: true }));
    expect(empty.text).toContain("No SLA breaches in the last 24 hours");
    expect(empty.text).not.toContain("ATTAINMENT");
    expect(empty.html).toContain("No SLA breaches in the last 24 hours");
    expect(empty.text.split("\n").length).toBeLessThan(10);
  });

  it("lists organizations at or over 80% of their ticket quota (used/allowance, remaining) in both parts, only when there are any", () => {
    expect(mail.text).not.toContain("TICKET QUOTA");
    const q = renderDigest(templates, data({ nearQuota: [{ organization: "Stark & <Co>", year: 1, used: 33, allowance: 40, remaining: 7 }] }));
    expect(q.text).toContain("ORGANIZATIONS AT OR OVER 80% OF THEIR TICKET QUOTA");
    expect(q.text).toMatch(/^Stark & <Co>\s+33\/40\s+7$/m);
    expect(q.html).toContain("Organizations at or over 80% of their ticket quota");
    expect(q.html).toContain("<td>Stark &amp; &lt;Co&gt;</td><td align=\"right\">33/40</td><td align=\"right\">7</td>");
  });
});
