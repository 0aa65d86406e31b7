/**
 * Issue 17, "the CLI covers a case's life": cases opened by real mail (a Maildir drained by `start --once`, the
 * worker's own intake path), then shown, searched, assigned, moved, noted and their attachments fetched with the
 * real CLI, in-process through main(), on PGlite and on Postgres. The `#` commands by mail and `case assign|status`
 * must leave the same trail and queue the same mail.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { purgeExpiredAttachments } from "../../src/retention/attachments.js";
import { loadBundledPolicies } from "../../src/policy/load.js";
import * as store from "../../src/store/index.js";
import { cliVariants, useCliWorkspace } from "../support/cli.js";

vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const heap = randomBytes(150_000);
const logs = randomBytes(4_000);

interface Mail {
  from: string;
  subject: string;
  body: string;
  attachment?: { name: string; bytes: Buffer };
}

function raw(m: Mail, n: number): string {
  const head = [`From: ${m.from}`, "To: support@localhost", `Subject: ${m.subject}`, `Message-ID: <life-${n}-${process.pid}@test.example>`, "Date: Fri, 04 Dec 2026 10:00:00 +0000", "MIME-Version: 1.0"];
  if (!m.attachment) return [...head, "Content-Type: text/plain; charset=utf-8", "", m.body, ""].join("\r\n");
  const b64 = m.attachment.bytes.toString("base64").replace(/.{76}/g, "$&\r\n");
  return [
    ...head, 'Content-Type: multipart/mixed; boundary="b1"', "",
    "--b1", "Content-Type: text/plain; charset=utf-8", "", m.body, "",
    "--b1", `Content-Type: application/octet-stream; name="${m.attachment.name}"`, `Content-Disposition: attachment; filename="${m.attachment.name}"`, "Content-Transfer-Encoding: base64", "", b64, "",
    "--b1--", "",
  ].join("\r\n");
}

describe.each(cliVariants())("a case's life through the CLI on %s", (variant) => {
  const ws = useCliWorkspace(variant, "life", { migrate: false });
  const run = ws.run;
  let seq = 0;
  /** Into the Maildir as an MTA delivers (tmp/, then new/), received at `at` (the delivery time in the file name). */
  function deliver(m: Mail, at: number): void {
    const text = raw(m, ++seq);
    const name = `${Math.floor(at / 1000)}.M${seq}P1.test,S=${Buffer.byteLength(text)}`;
    writeFileSync(join(ws.dir, "var/maildir/tmp", name), text);
    renameSync(join(ws.dir, "var/maildir/tmp", name), join(ws.dir, "var/maildir/new", name));
  }
  async function ok(...args: string[]): Promise<string> {
    const r = await run(...args);
    expect(r.stderr, `${args.join(" ")}: ${r.stderr}`).toBe("");
    expect(r.code).toBe(0);
    return r.stdout;
  }
  const json = async (...args: string[]) => JSON.parse(await ok(...args, "--json"));
  const numbers = async (...filters: string[]): Promise<number[]> => (await json("case", "search", ...filters)).rows.map((r: { number: number }) => r.number).sort();
  const numberOf = async (subject: string): Promise<number> =>
    (JSON.parse(await ok("case", "list", "--json")) as Array<{ number: number; subject: string }>).find((c) => c.subject === subject)!.number;

  // The sync case (P3) waited 4 days for an answer: whatever the day, holidays included, that holds a business day of
// 12 hours, past [003] Basic "P3 8 hours" to respond, and at most 4 x 12 hours, short of the "72 hours" workaround.
const opened = Date.now() - 4 * DAY;
  const c: Record<"sync" | "dash" | "cli" | "globex", number> = { sync: 0, dash: 0, cli: 0, globex: 0 };

  beforeAll(async () => {
    writeFileSync(join(ws.dir, "support-inbox.yaml"), "timeZone: America/Los_Angeles\nhttp: false\nlog:\n  level: warn\n");
    await ok("migrate");
    await ok("org", "add", "--name", "Sertao", "--policy", "konneqt-basic", "--tz", "America/Sao_Paulo", "--domain", "sertao.example", "--contract-start", "2026-01-01");
    await ok("org", "add", "--name", "Globex", "--policy", "vantiq", "--domain", "globex.example");
    await ok("contact", "add", "--email", "lucas@sertao.example", "--name", "Lucas Prado", "--org", "Sertao", "--dtc");
    await ok("contact", "add", "--email", "ana@sertao.example", "--name", "Ana Lima", "--org", "Sertao", "--dtc");
    await ok("contact", "add", "--email", "hank@globex.example", "--name", "Hank", "--org", "Globex", "--dtc");
    await ok("staff", "add", "--email", "alice@vendor.example", "--name", "Alice", "--role", "engineer");
    await ok("staff", "add", "--email", "bob@vendor.example", "--name", "Bob", "--role", "engineer");
    await ok("org", "set", "Globex", "--engineer", "bob@vendor.example");
    const template = (severity: string, text: string) => `Name: Lucas Prado\nCompany: Sertao\nSeverity: ${severity}\nEnvironment: production\n\n${text}`;
    deliver({ from: "lucas@sertao.example", subject: "Sync stalls nightly", body: template("P3", "The nightly replication stalls at 02:00."), attachment: { name: "heap.hprof", bytes: heap } }, opened);
    deliver({ from: "ana@sertao.example", subject: "Dashboard totals wrong", body: template("P2", "The totals on the dashboard are off by one.") }, Date.now() - HOUR);
    deliver({ from: "ana@sertao.example", subject: "Export button greyed out", body: template("P3", "Cannot export."), attachment: { name: "screen.png", bytes: logs } }, Date.now() - HOUR);
    deliver({ from: "hank@globex.example", subject: "Gateway timeouts", body: "Severity: 3\nEnvironment: production\n\nThe gateway times out." }, Date.now() - HOUR);
    await ok("start", "--once");
    c.sync = await numberOf("Sync stalls nightly");
    c.dash = await numberOf("Dashboard totals wrong");
    c.cli = await numberOf("Export button greyed out");
    c.globex = await numberOf("Gateway timeouts");
    // Alice answers the sync case by mail and sets it waiting; by mail she assigns and resolves the dashboard case
    // with commands only, as the CLI does for the export case below.
    deliver({ from: "alice@vendor.example", subject: `[Case #${c.sync}] Sync stalls nightly`, body: "#status waiting\n\nPlease send the replication log." }, Date.now());
    deliver({ from: "alice@vendor.example", subject: `[Case #${c.dash}] Dashboard totals wrong`, body: "#assign bob@vendor.example\n#status resolved\n" }, Date.now());
    await ok("start", "--once");
  });

  it("case show --json: each metric with ISO due times, the late first response breached, the waiting workaround paused", async () => {
    const view = await json("case", "show", String(c.sync));
    expect(view).toMatchObject({
      number: c.sync, subject: "Sync stalls nightly", status: "waiting", organization: { name: "Sertao" }, policy: { id: "konneqt-basic" },
      severity: { id: "P3", name: "P3 – Medium", source: "field" }, requester: { email: "lucas@sertao.example" },
      zones: { desk: "America/Los_Angeles", customer: "America/Sao_Paulo" }, breached: true,
    });
    expect(view.participants).toEqual(expect.arrayContaining([{ email: "lucas@sertao.example", role: "requester" }, { email: "alice@vendor.example", role: "wrote" }]));
    // The due time is the one `sla due` gives for a P2 received at that instant.
    const due = await json("sla", "due", "--policy", "konneqt-basic", "--severity", "P3", "--environment", "production", "--at", new Date(Math.floor(opened / 1000) * 1000).toISOString());
    const promised = due.lines.find((l: { metric: string }) => l.metric === "initial-response").dueAtMs;
    const response = view.sla.find((m: { metric: string }) => m.metric === "initial-response");
    expect(response).toMatchObject({ state: "breached", metLate: true, dueAt: new Date(promised).toISOString() });
    expect(response.metAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(response.due.desk).toMatch(/ P[SD]T$/);
    expect(view.sla.find((m: { metric: string }) => m.metric === "workaround")).toMatchObject({ state: "paused", metLate: false });
    expect(view.thread.map((e: { direction: string; kind: string | null }) => [e.direction, e.kind])).toEqual(
      expect.arrayContaining([["received", null], ["sent", "acknowledgment"], ["sent", "relay"]]),
    );
    expect(view.thread[0]).toMatchObject({ direction: "received", author: "lucas@sertao.example", firstLines: ["Name: Lucas Prado", "Company: Sertao", "Severity: P3"] });
    expect(view.attachments).toEqual([expect.objectContaining({ filename: "heap.hprof", size: heap.length, stored: true })]);
    expect(view.events.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(["opened", "staff-replied", "status-changed"]));
    expect(view.openedAt).toBe(new Date(Math.floor(opened / 1000) * 1000).toISOString());
  });

  it("case show for a person: due times in the desk's zone and the customer's, the breach and the pause, the thread", async () => {
    const text = await ok("case", "show", `#${c.sync}`);
    expect(text).toContain(`Case #${c.sync}: Sync stalls nightly`);
    expect(text).toContain("severity:      P3 – Medium (field)\n  why:           P3 – Medium, from the severity field");
    expect(text).toContain("SLA (desk: America/Los_Angeles, customer: America/Sao_Paulo)");
    expect(text).toMatch(/first response\s+8 hours\s+\w{3} \d+ \w{3} \d{4}, \d\d:\d\d P[SD]T\s+\w{3} \d+ \w{3} \d{4}, \d\d:\d\d GMT-3\s+BREACHED, met late/);
    expect(text).toMatch(/workaround\s+72 hours\s+.*\s+paused/);
    expect(text).toContain("<- from lucas@sertao.example");
    expect(text).toContain("-> to lucas@sertao.example (relay,");
    expect(text).toMatch(/heap\.hprof\s+application\/octet-stream\s+146 KB\s+yes/);
  });

  it("case search narrows by each filter; --text is stemmed full-text search; pages", async () => {
    expect(await numbers("--org", "Sertao")).toEqual([c.sync, c.dash, c.cli].sort());
    expect(await numbers("--status", "waiting")).toEqual([c.sync]);
    expect(await numbers("--status", "open")).toEqual([c.cli, c.globex].sort());
    expect(await numbers("--severity", "p3", "--org", "Sertao")).toEqual([c.sync, c.cli].sort());
    expect(await numbers("--severity", "P2")).toEqual([c.dash]);
    expect(await numbers("--policy", "vantiq")).toEqual([c.globex]);
    expect(await numbers("--assignee", "bob@vendor.example")).toEqual([c.dash]);
    expect(await numbers("--assignee", "none", "--org", "Sertao")).toEqual([c.sync, c.cli].sort());
    expect(await numbers("--breached")).toEqual([c.sync]);
    expect(await numbers("--due-before", new Date(Date.now() + 30 * DAY).toISOString(), "--policy", "vantiq")).toEqual([c.globex]);
    expect(await numbers("--due-before", new Date(Date.now() - 2 * DAY).toISOString())).toEqual([]);
    expect(await numbers("--text", "replicating")).toEqual([c.sync]); // "replication" in the body, by its stem
    expect(await numbers("--text", "dashboard -export")).toEqual([c.dash]);
    expect(await numbers("--text", "greyed")).toEqual([c.cli]); // the subject
    const page = await json("case", "search", "--limit", "3", "--page", "2");
    expect(page).toMatchObject({ total: 4, limit: 3, offset: 3 });
    expect(page.rows).toHaveLength(1);
    const text = await ok("case", "search", "--breached");
    expect(text).toMatch(new RegExp(`#${c.sync}\\s+waiting\\s+P3\\s+Sertao`));
    expect(text).toContain("cases 1-1 of 1");
  });

  it("case assign and case status leave the trail and the mail that the same # commands by mail leave", async () => {
    expect(await ok("case", "assign", String(c.cli), "bob@vendor.example", "--as", "alice@vendor.example")).toBe(`case #${c.cli}: assigned to bob@vendor.example\n`);
    expect(await ok("case", "status", String(c.cli), "resolved", "--as", "alice@vendor.example")).toMatch(new RegExp(`^case #${c.cli}: open -> resolved; queued resolution-notice`));
    expect(await ok("case", "status", String(c.cli), "resolved", "--as", "alice@vendor.example")).toBe(`case #${c.cli}: already resolved, nothing changed\n`);
    await ws.withDb(async (db) => {
      const trail = async (n: number) => {
        const kase = await store.requireCaseByNumber(db, n);
        const events = (await store.listEvents(db, kase.id)).filter((e) => ["assigned", "status-changed"].includes(e.kind));
        const mail = (await store.listOutbox(db, { caseId: kase.id })).filter((m) => m.kind === "resolution-notice");
        return {
          row: { status: kase.status, assigneeId: kase.assigneeId },
          events: events.map((e) => ({ kind: e.kind, actor: e.actor, data: e.data })),
          mail: mail.map((m) => ({ to: m.to, text: m.text.replace(/(Case #?)\d+/g, "$1N").replace(/Export button greyed out|Dashboard totals wrong/g, "SUBJECT") })),
        };
      };
      const byMail = await trail(c.dash);
      expect(byMail.events).toEqual([
        { kind: "assigned", actor: "alice@vendor.example", data: { assigneeId: expect.any(Number), email: "bob@vendor.example" } },
        { kind: "status-changed", actor: "alice@vendor.example", data: { status: "resolved", from: "open" } },
      ]);
      expect(byMail.mail).toHaveLength(1);
      expect(await trail(c.cli)).toEqual(byMail);
    });
  });

  it("case note records an internal note, sent to nobody; assign me needs to know who 'me' is", async () => {
    process.env.SUPPORT_INBOX_STAFF = "alice@vendor.example";
    try {
      expect(await ok("case", "note", String(c.sync), "Customer called: logs tomorrow")).toBe(`case #${c.sync}: note recorded\n`);
      expect(await ok("case", "assign", String(c.sync), "me")).toBe(`case #${c.sync}: assigned to alice@vendor.example\n`);
    } finally {
      delete process.env.SUPPORT_INBOX_STAFF;
    }
    expect(await run("case", "assign", String(c.sync), "me")).toMatchObject({ code: 1, stderr: expect.stringContaining('"me" needs to know who you are') });
    const view = await json("case", "show", String(c.sync));
    expect(view.events.at(-2)).toMatchObject({ kind: "note", actor: "alice@vendor.example", data: { text: "Customer called: logs tomorrow" } });
    expect(view.assignee).toMatchObject({ email: "alice@vendor.example" });
    expect(view.thread.filter((e: { firstLines: string[] }) => e.firstLines.includes("Customer called: logs tomorrow"))).toEqual([]);
  });

  it("case attachment writes the original bytes, refuses to overwrite without --force, and says when retention deleted them", async () => {
    const { attachments } = await json("case", "show", String(c.sync));
    const id = String(attachments[0].id);
    const file = join(ws.dir, "heap-copy.hprof");
    expect(await ok("case", "attachment", String(c.sync), id, "-o", file)).toContain(`heap.hprof, 146 KB (${heap.length} bytes), sha256 `);
    expect(Buffer.compare(readFileSync(file), heap)).toBe(0);
    expect(await run("case", "attachment", String(c.sync), id, "-o", file)).toMatchObject({ code: 1, stderr: expect.stringContaining(`${file} already exists: give --force to overwrite it`) });
    writeFileSync(file, "something else");
    await ok("case", "attachment", String(c.sync), id, "-o", file, "--force");
    expect(Buffer.compare(readFileSync(file), heap)).toBe(0);
    expect(await run("case", "attachment", String(c.dash), id)).toMatchObject({ code: 1, stderr: expect.stringContaining(`case #${c.dash} has no attachment ${id}`) });

    // The export case was resolved today: Konneqt keeps its attachments 90 days ([003]); run retention 91 days on.
    const other = (await json("case", "show", String(c.cli))).attachments[0].id;
    await ws.withDb((db) => purgeExpiredAttachments(db, loadBundledPolicies(), Date.now() + 91 * DAY));
    const gone = await run("case", "attachment", String(c.cli), String(other));
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`attachment ${other} of case #${c.cli} (screen.png, 4 KB) was deleted by retention on `);
    expect(gone.stderr).toContain("under policy konneqt-basic's retention (90 days");
    expect((await ok("case", "show", String(c.cli)))).toMatch(/screen\.png\s+\S+\s+4 KB\s+deleted \(retention\)/);
  });

  it("staff deactivate: no new-case notice for Bob, his # commands by mail are not applied, he cannot act from the CLI", async () => {
    expect(await ok("staff", "deactivate", "bob@vendor.example")).toContain(
      "staff bob@vendor.example deactivated: no reminders, new-case notices or digests; # commands from this address are refused\nstill the engineer of Globex",
    );
    deliver({ from: "bob@vendor.example", subject: `[Case #${c.dash}] Dashboard totals wrong`, body: "#status open\n" }, Date.now());
    deliver({ from: "hank@globex.example", subject: "Second gateway issue", body: "Severity: 3\nEnvironment: production\n\nAgain." }, Date.now());
    await ok("start", "--once");
    expect((await json("case", "show", String(c.dash))).status).toBe("resolved");
    const second = await numberOf("Second gateway issue");
    await ws.withDb(async (db) => {
      const kase = await store.requireCaseByNumber(db, second);
      const notices = (await store.listOutbox(db, { caseId: kase.id })).filter((m) => m.kind === "new-case");
      expect(notices.map((m) => m.to)).toEqual([["alice@vendor.example"]]);
    });
    expect(await run("case", "status", String(c.globex), "waiting", "--as", "bob@vendor.example")).toMatchObject({
      code: 1, stderr: expect.stringContaining("--as: bob@vendor.example is deactivated and cannot change cases"),
    });
    expect(await run("case", "assign", String(c.globex), "bob@vendor.example")).toMatchObject({ code: 1, stderr: expect.stringContaining("bob@vendor.example is not an active staff member") });
    // Said as it is: a second deactivate changes nothing, and activate undoes it.
    expect(await ok("staff", "deactivate", "bob@vendor.example")).toContain("staff bob@vendor.example was already deactivated: nothing changed");
    expect(await ok("staff", "activate", "bob@vendor.example")).toBe("staff bob@vendor.example activated\n");
    expect(await ok("staff", "activate", "bob@vendor.example")).toBe("staff bob@vendor.example was already active: nothing changed\n");
    await ok("case", "assign", String(c.globex), "bob@vendor.example");
    expect((await json("case", "show", String(c.globex))).assignee.email).toBe("bob@vendor.example");
  });

  it("names what was not found and exits non-zero; every new command has --help with an example", async () => {
    expect(await run("case", "show", "999")).toMatchObject({ code: 1, stderr: expect.stringContaining("no case #999") });
    expect(await run("case", "status", "999", "open")).toMatchObject({ code: 1, stderr: expect.stringContaining("no case #999") });
    expect(await run("case", "status", String(c.sync), "pending")).toMatchObject({ code: 1, stderr: expect.stringContaining('#status needs one of open, waiting, resolved, closed (found "pending")') });
    expect(await run("case", "assign", String(c.sync), "nobody@vendor.example")).toMatchObject({ code: 1, stderr: expect.stringContaining("nobody@vendor.example is not an active staff member") });
    expect(await run("case", "note", String(c.sync), "x", "--as", "nobody@vendor.example")).toMatchObject({ code: 1, stderr: expect.stringContaining("--as: no staff member nobody@vendor.example") });
    expect(await run("staff", "deactivate", "nobody@vendor.example")).toMatchObject({ code: 1, stderr: expect.stringContaining("no staff member with email nobody@vendor.example") });
    expect(await run("case", "search", "--org", "Nowhere")).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown organization "Nowhere"') });
    expect(await run("case", "search", "--assignee", "nobody@vendor.example")).toMatchObject({ code: 1, stderr: expect.stringContaining("no staff member nobody@vendor.example") });
    expect(await run("case", "search", "--due-before", "friday")).toMatchObject({ code: 1, stderr: expect.stringContaining("--due-before") });
    expect(await run("case", "search", "--severity", "9")).toMatchObject({ code: 1, stderr: expect.stringMatching(/--severity: no loaded policy has a severity "9" \(known: .*P1/) });
    for (const cmd of [["case", "show"], ["case", "search"], ["case", "assign"], ["case", "status"], ["case", "note"], ["case", "attachment"], ["case", "time"], ["staff", "deactivate"], ["staff", "activate"]]) {
      const help = await run(...cmd, "--help");
      expect(help.code, cmd.join(" ")).toBe(0);
      expect(help.stdout, cmd.join(" ")).toMatch(new RegExp(`Examples?:\\n  support-inbox ${cmd.join(" ")}`));
    }
  });
});
