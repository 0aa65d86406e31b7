/**
 * Plays the script's steps into the Maildir: sample requests from examples/mail/ as they are, staff
 * replies written on the spot (to the support address, the case token in the subject). Cases are
 * referred to by label; the label → number map is filled as the openers are processed, and a sample
 * that names a case number checks it is the case it was written for.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DateTime } from "luxon";
import { AppError } from "../errors.js";
import { caseSubject } from "../outbox/headers.js";
import { deliverToMaildir } from "../sources/maildir.js";
import type { Db } from "../store/database.js";
import { getCaseByNumber } from "../store/index.js";
import { caseNumberOfMessage } from "../store/repos/messages.js";
import { DESK, STAFF, type MailStep, type StaffStep, type Step } from "./scenario.js";

export const EXAMPLES_DIR = fileURLToPath(new URL("../../examples/mail/", import.meta.url));

export const stepAt = (s: Step): number => Date.parse(s.at);
export const isStaffStep = (s: Step): s is StaffStep => "staff" in s;

export interface Delivered {
  step: Step;
  from: string;
  subject: string;
  messageId: string | null;
}

/** Case numbers by script label, learned from the openers' Message-IDs once they are processed. */
export class CaseLabels {
  private readonly byLabel = new Map<string, number>();
  private readonly pending = new Map<string, string>();

  expectOpened(label: string, messageId: string | null): void {
    if (messageId) this.pending.set(label, messageId);
  }

  number(label: string): number | undefined {
    return this.byLabel.get(label);
  }

  entries(): Array<[string, number]> {
    return [...this.byLabel];
  }

  /** After a tick: which pending openers became cases. */
  async resolve(db: Db): Promise<void> {
    for (const [label, messageId] of this.pending) {
      const number = await caseNumberOfMessage(db, messageId);
      if (number !== null) {
        this.byLabel.set(label, number);
        this.pending.delete(label);
      }
    }
  }
}

export async function deliverStep(db: Db, maildir: string, step: Step, labels: CaseLabels): Promise<Delivered> {
  const bytes = isStaffStep(step) ? Buffer.from(await staffMail(db, step, labels), "utf8") : await sampleMail(step, labels);
  await deliverToMaildir(maildir, bytes);
  // Header bytes are ASCII in well-formed mail (RFC 2047 encodes the rest), so latin1 reads them losslessly.
  const raw = bytes.toString("latin1");
  const from = header(raw, "From") ?? "?";
  const delivered = { step, from: /<([^>]+)>/.exec(from)?.[1] ?? from, subject: header(raw, "Subject") ?? "", messageId: messageIdOf(raw) };
  if (!isStaffStep(step) && step.opens) labels.expectOpened(step.opens, delivered.messageId);
  return delivered;
}

async function sampleMail(step: MailStep, labels: CaseLabels): Promise<Buffer> {
  if (step.expects) {
    const actual = labels.number(step.expects.label);
    if (actual !== step.expects.number) {
      throw new AppError(
        "E_DEMO_SCRIPT",
        `${step.file} is written for case #${step.expects.number} (${step.expects.label}), but that request became ${actual === undefined ? "no case" : `case #${actual}`}; fix the sample or the script order`,
      );
    }
  }
  return readFile(join(EXAMPLES_DIR, step.file));
}

let staffMessages = 0;

async function staffMail(db: Db, step: StaffStep, labels: CaseLabels): Promise<string> {
  const number = labels.number(step.case);
  const c = number === undefined ? undefined : await getCaseByNumber(db, number);
  if (!c) throw new AppError("E_DEMO_SCRIPT", `staff reply at ${step.at} is for "${step.case}", which opened no case`);
  const person = STAFF.find((s) => s.email === step.staff);
  staffMessages += 1;
  const date = DateTime.fromISO(step.at, { setZone: true }).toRFC2822();
  return [
    `From: ${person?.name ?? step.staff} <${step.staff}>`,
    `To: Support <${DESK.address}>`,
    `Subject: ${caseSubject("[Case #{number}]", c.number, c.subject)}`,
    `Date: ${date}`,
    `Message-ID: <demo-staff-${staffMessages}-case-${c.number}@vendor.example>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    step.text,
    "",
  ].join("\r\n");
}

/** First value of an unfolded header (raw, still MIME-encoded): enough for the timeline and the label map. */
function header(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}

function messageIdOf(raw: string): string | null {
  const value = header(raw, "Message-ID");
  return value ? value.replace(/^<|>$/g, "") : null;
}
