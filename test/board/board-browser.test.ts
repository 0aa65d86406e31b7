/**
 * The board in a real browser: headless Chromium from Debian's `chromium` package, driven by playwright-core
 * (no browser download). A staff member asks for a link, opens the one the outbox holds, sees the queue,
 * filters it, opens a case, downloads an attachment (the bytes stored), and watches a countdown change when
 * the clock moves (the page's script refetches it). The pages break no CSP rule. Screenshots of the queue
 * and a case page are taken every run; they replace docs/board-*.png (the README's) only with
 * UPDATE_SCREENSHOTS=1, so a test run leaves the checkout as it found it. Skipped, with the reason printed,
 * only when chromium is absent.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { processRawMessage } from "../../src/inbound/process.js";
import type { Db } from "../../src/store/database.js";
import { attachments, cases, messages } from "../../src/store/schema/index.js";
import { testDatabases } from "../support/db.js";
import { inboundDeps, seedAcme, SUPPORT } from "../support/desk.js";
import { mailedLinks, startBoard, type TestBoard } from "./board-support.js";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present) console.warn(`board browser test skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);

const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };
const fixture = (name: string) => readFile(join(import.meta.dirname, "..", "fixtures", "mail", name));
const docs = process.env.UPDATE_SCREENSHOTS === "1" ? join(import.meta.dirname, "..", "..", "docs") : mkdtempSync(join(tmpdir(), "board-shots-"));

describe.skipIf(!present)("the board in headless Chromium", () => {
  const target = testDatabases()[0]!;
  const clock = new ManualClock("2026-11-10T17:20:00Z"); // Tue 09:20 Pacific
  let db: Db;
  let board: TestBoard;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    db = await target.open();
    await seedAcme(db);
    for (const name of ["template-full-vantiq.eml", "hostile-script-javascript-links.eml"]) {
      await processRawMessage(inboundDeps(db, clock), mailbox, await fixture(name), { receivedAt: clock.now() });
      clock.advance(60_000);
    }
    board = await startBoard(db, clock, { refreshSeconds: 1 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
    page.on("console", (m) => void (/Content.Security.Policy|Refused to/i.test(m.text()) && cspViolations.push(m.text())));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await board?.close();
    await target.close();
  });

  it("signs in through the mailed link", async () => {
    await page.goto(`${board.base}/board/`);
    expect(new URL(page.url()).pathname).toBe("/board/sign-in");
    await page.fill("input[name=email]", "alice@vendor.example");
    await page.click("button[type=submit]");
    await page.waitForSelector("text=a sign-in link is on its way");
    const [link] = await mailedLinks(db, "alice@vendor.example");
    await page.goto(link!);
    await page.click("button[type=submit]");
    await page.waitForSelector("table.queue");
    expect(new URL(page.url()).pathname).toBe("/board/");
    expect(await page.locator("tr[data-case]").count()).toBe(2);
    await page.screenshot({ path: join(docs, "board-queue.png"), fullPage: true });
  }, 30_000);

  it("filters the queue as case search does", async () => {
    await page.selectOption("select[name=severity]", "1");
    await page.click("form.filters button[type=submit]");
    await page.waitForURL(/severity=1/);
    const rows = page.locator("tr[data-case]");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("Event stream stops processing after namespace redeploy");
  }, 30_000);

  it("opens a case and downloads its attachment with the bytes stored", async () => {
    await page.click("tr[data-case] a");
    await page.waitForSelector("svg.timeline");
    expect(await page.locator("h1").textContent()).toMatch(/^Case #\d+$/);
    const [stored] = await db.select({ content: attachments.content }).from(attachments).where(eq(attachments.filename, "ProcessSensorReading.json"));
    const link = page.locator("ul.attachments a", { hasText: "ProcessSensorReading.json" }).first();
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 10_000 }), link.click({ timeout: 10_000 })]);
    expect(download.suggestedFilename()).toBe("ProcessSensorReading.json");
    const bytes = await readFile((await download.path())!);
    expect(new Uint8Array(bytes)).toEqual(stored!.content);
    await page.screenshot({ path: join(docs, "board-case.png"), fullPage: true });
  }, 30_000);

  it("shows the hostile mail as text and runs none of its script", async () => {
    const [hostile] = await db.select({ caseId: messages.caseId }).from(messages).where(eq(messages.messageId, "hostile-script-001@mail.customer.example"));
    const [row] = await db.select({ number: cases.number }).from(cases).where(eq(cases.id, hostile!.caseId!));
    await page.goto(`${board.base}/board/case/${row!.number}`);
    expect(await page.title()).toMatch(/^Case #\d+ · support-inbox board$/);
    expect(await page.locator("pre").first().textContent()).toContain("<script>document.title='owned-by-text'</script>");
    expect(await page.locator("a[href^='javascript:']").count()).toBe(0);
    expect(await page.locator("main script, main img").count()).toBe(0);
  }, 30_000);

  it("refreshes the queue by itself and the countdown moves with the clock", async () => {
    await page.goto(`${board.base}/board/`);
    const clockCell = page.locator("tr[data-case] td.clock").first();
    const before = (await clockCell.textContent())!;
    clock.advance(20 * 60_000);
    // No reload from the test: the page's own script fetches it again (every second here).
    await expect.poll(() => page.locator("tr[data-case] td.clock").first().textContent(), { timeout: 10_000, interval: 250 }).not.toBe(before);
    const after = (await page.locator("tr[data-case] td.clock").first().textContent())!;
    expect(after).not.toBe(before);
    expect(after).toMatch(/of business time/);
    expect(cspViolations).toEqual([]);
  }, 30_000);
});
