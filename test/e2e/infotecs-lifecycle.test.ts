/**
 * Issue 16, product lifecycle ([001] "Technical Support Lifecycle"), end to end through the real intake path
 * (raw mail in, the worker's tick, mail out), on the bundled example list policies/lifecycle/infotecs.yaml:
 *  - ViPNet Client 4.3: GA 2019-04-15, EOS 2024-06-28. EOS + 1 year = 2025-06-28, but "not earlier than 2 years
 *    after the start of sales of the next Major Version" (5.0, GA 2023-11-01) = 2025-11-01: EOMS 2025-11-01,
 *    EOL 2026-11-01. In March 2026 it is in Extended Support.
 *  - ViPNet Client 3.2: EOMS 2019-09-01 (2 years after GA of 4.0, 2017-09-01), EOL 2020-09-01: past its end of life.
 *  - ViPNet Client 4.4: GA 2020-10-01, EOS 2026-10-30: EOMS 2027-10-30 (EOS + 1 year), EOL 2028-10-30; "not later
 *    than half a year before the due date" puts the EOMS notice on 2027-04-30.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import * as store from "../../src/store/index.js";
import { lifecycleNoticesTick } from "../../src/lifecycle/notices-job.js";
import { dryRunRawMessage } from "../../src/inbound/dry-run.js";
import { previewDigest } from "../../src/digest/job.js";
import { inboundDeps, SUPPORT } from "../support/desk.js";
import { at, e2eBackends, is, requestMail, startDriver, type Driver, type People } from "./driver.js";

const IVAN = { email: "ivan.petrov@stark.example", name: "Ivan Petrov", timeZone: "Europe/Moscow" };
const STARK = { name: "Stark", policyId: "infotecs-basic", domain: "stark.example", timeZone: "Europe/Moscow", requester: IVAN };
const HOPE = { email: "hope@pym.example", name: "Hope Pym", timeZone: null };
const PYM = { name: "Pym", policyId: "infotecs-premium", domain: "pym.example", timeZone: "Europe/Moscow", requester: HOPE };
const QUOTE = "Other bugs can be fixed only under additional agreements and are subject to payment regardless of the chosen Support Plan.";
const quiet = { info() {}, warn() {}, error() {} };

const ask = (version: string | null, severity: string): Array<[string, string]> => [
  ["Product", "ViPNet Client"],
  ...(version ? ([["Version", version]] as Array<[string, string]>) : []),
  ["Severity", severity],
  ["Steps to reproduce", "Start the client and open the tunnel list."],
];

describe.each(e2eBackends())("Infotecs product lifecycle at intake and its notices on %s", (backend) => {
  let d: Driver;
  let people: People;
  const T0 = at("2026-03-02T07:00:00Z"); // Monday 10:00 in Moscow

  async function request(from: { email: string; name: string }, subject: string, t: number, fields: Array<[string, string]>) {
    await d.deliver(requestMail({ from: from.email, fromName: from.name, subject, date: t, fields }));
    return d.tick(t);
  }

  beforeAll(async () => {
    d = await startDriver(backend, "infotecs-basic", T0);
    people = await d.reset();
    for (const org of [STARK, PYM]) await d.seedOrg(org);
  });
  afterAll(() => d.close());

  it("Extended Support, not critical: the case opens as chargeable and the acknowledgment quotes the policy", async () => {
    const mail = await request(IVAN, "Tray icon flickers", T0, ask("4.3.1", "Minor"));
    const c = await d.caseBySubject("Tray icon flickers");
    const ack = mail.filter(is.ack(c.number));
    expect(ack).toHaveLength(1);
    expect(ack[0]!.text).toContain("This case is chargeable: ViPNet Client 4.3 is in Extended Support until 2026-11-01");
    expect(ack[0]!.text.replace(/\s+/g, " ")).toContain(`As our support policy says: "${QUOTE}"`);
    const events = await store.listEvents(d.db, c.id);
    expect(events.find((e) => e.kind === "chargeable")?.data).toMatchObject({ reason: "extended-support", product: "ViPNet Client", version: "4.3", eol: "2026-11-01" });
  });

  it("Extended Support, a critical defect: the case opens as usual, covered", async () => {
    const t = T0 + 3_600_000;
    const mail = await request(IVAN, "Tunnel down after update", t, ask("4.3", "Critical"));
    const c = await d.caseBySubject("Tunnel down after update");
    const ack = mail.filter(is.ack(c.number))[0]!;
    expect(ack.text).toContain("ViPNet Client 4.3 is in Extended Support until 2026-11-01; this request is covered as a critical defect.");
    expect(ack.text).not.toContain("chargeable");
  });

  it("after EOL: no case; a polite reply names the date and the versions supported today", async () => {
    const t = T0 + 2 * 3_600_000;
    const subject = "Old client will not start";
    const mail = await request(IVAN, subject, t, ask("3.2", "Minor"));
    await expect(d.caseBySubject(subject)).rejects.toThrow("no case");
    const reply = mail.filter((m) => m.to.includes(IVAN.email));
    expect(reply).toHaveLength(1);
    expect(reply[0]!.subject).toBe(`Re: ${subject}`);
    const text = reply[0]!.text;
    expect(text).toContain("ViPNet Client 3.2 reached end of life on 2020-09-01, so we cannot open a case for this request");
    expect(text).toMatch(/The versions of ViPNet Client we support today are:\s+- 4\.0 \(extended support until 2026-11-01\)\s+- 4\.3 \(extended support until 2026-11-01\)\s+- 4\.4 \(mainstream support\)\s+- 4\.5 \(mainstream support\)\s+- 5\.0 \(mainstream support\)/);
    expect(text).toContain("No case has been opened for this message.");
    const rejections = await d.db.select().from(store.schema.inboundRejections).where(eq(store.schema.inboundRejections.reasonCode, "end-of-life"));
    expect(rejections).toHaveLength(1);
  });

  it("no version: the case opens and the acknowledgment asks for it", async () => {
    const t = T0 + 3 * 3_600_000;
    const mail = await request(IVAN, "Which version is this", t, ask(null, "Minor"));
    const c = await d.caseBySubject("Which version is this");
    const ack = mail.filter(is.ack(c.number))[0]!;
    expect(ack.text).toContain("We could not tell which product version this is about: the request names no version of ViPNet Client.");
    expect(ack.text).toMatch(/please reply with:\s+- Product version/);
    expect(c.missingFields).toEqual(["Product version"]);
  });

  it("ingest --dry-run --json shows the lifecycle of the request", async () => {
    const deps = inboundDeps(d.db, d.clock, d.desk);
    const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "infotecs-basic", folder: "INBOX", usesCursor: false };
    const raw = (version: string) => Buffer.from(requestMail({ from: IVAN.email, fromName: IVAN.name, subject: `Dry run ${version}`, date: T0, fields: ask(version, "Minor") }));
    expect((await dryRunRawMessage(deps, mailbox, raw("4.3"))).json.lifecycle).toEqual({ product: "ViPNet Client", version: "4.3", period: "extended", eol: "2026-11-01", chargeable: true });
    expect((await dryRunRawMessage(deps, mailbox, raw("5.0.1"))).json.lifecycle).toEqual({ product: "ViPNet Client", version: "5.0", period: "mainstream", eol: null });
    const eol = await dryRunRawMessage(deps, mailbox, raw("3.2"));
    expect([eol.json.outcome, eol.json.lifecycle]).toEqual(["refuse", { product: "ViPNet Client", version: "3.2", period: "after-eol", eol: "2020-09-01" }]);
  });

  it("the EOMS notice goes to the organization's DTCs once, six months before, and never twice", async () => {
    await request(HOPE, "Slow handshake", T0 + 4 * 3_600_000, ask("4.4.2", "Minor"));
    const toPym = (m: { to: string[] }) => m.to.includes(HOPE.email);
    const EOMS = "ViPNet Client 4.4: End of Mainstream Support on 2027-10-30";
    const run = async (iso: string, dryRun = false) => {
      const t = at(iso);
      d.clock.set(t);
      const result = await lifecycleNoticesTick({ db: d.db, desk: d.desk, clock: d.clock, logger: quiet, dryRun });
      return { result, mail: (await d.tick(t)).filter((m) => m.subject.includes("ViPNet Client 4.4:")) };
    };

    const dayBefore = await run("2027-04-29T07:00:00Z");
    expect(dayBefore.mail).toEqual([]);
    expect(dayBefore.result.notices.filter((n) => n.notice.organization === "Pym")).toEqual([]);

    const preview = await run("2027-04-30T06:00:00Z", true);
    expect(preview.result.notices.filter((n) => n.notice.organization === "Pym").map((n) => [n.notice.milestone, n.notice.date, n.status, n.to])).toEqual([
      ["EOMS", "2027-10-30", "would send", [HOPE.email, "second.dtc@pym.example"]],
    ]);
    expect(preview.mail).toEqual([]);

    const due = await run("2027-04-30T07:00:00Z");
    expect(due.mail.map((m) => [m.subject, m.to.sort()])).toEqual([[EOMS, [HOPE.email, "second.dtc@pym.example"]]]);
    const text = due.mail[0]!.text;
    expect(text).toContain("This is advance notice about ViPNet Client 4.4, which Pym uses (cases #");
    expect(text).toMatch(/End of Sales \(EOS\): 2026-10-30\s+- End of Mainstream Support \(EOMS\): 2027-10-30\s+- End of Life \(EOL\): 2028-10-30/);
    expect(due.mail[0]!.autoSubmitted).toBe("auto-generated");

    const again = await run("2027-04-30T08:00:00Z");
    expect(again.result.queued).toBe(0);
    expect(again.mail).toEqual([]);
    const later = await run("2027-06-01T07:00:00Z");
    expect(later.result.notices.find((n) => n.notice.organization === "Pym")?.status).toBe("sent before");
    await run("2027-06-01T08:00:00Z");
    expect(d.sent.filter((m) => m.subject === EOMS)).toHaveLength(1);
    expect(d.sent.filter(toPym).filter((m) => m.subject.startsWith("ViPNet Client"))).toHaveLength(1);
    const recorded = await store.listLifecycleNotices(d.db);
    expect(recorded.filter((r) => r.milestone === "EOMS").map((r) => [r.product, r.version, r.dueOn])).toEqual([["ViPNet Client", "4.4", "2027-10-30"]]);
  });

  it("the managers' digest lists the upcoming milestones of the versions customers use", async () => {
    const { data, text } = await previewDigest(d.db, d.desk, people.mike, at("2027-06-02T13:00:00Z"));
    expect(data.lifecycle).toEqual([{ product: "ViPNet Client", version: "4.4", milestone: "EOMS", date: "2027-10-30", organizations: ["Pym"] }]);
    expect(text).toContain("UPCOMING PRODUCT LIFECYCLE MILESTONES");
    expect(text).toMatch(/^ViPNet Client\s+4\.4\s+EOMS\s+2027-10-30\s+Pym$/m);
  });
});
