/**
 * The readable timeline: after each tick, what the worker did, read back from the database (new case
 * events, outbox rows, refused or ignored inbound mail) and the .eml files the outbox wrote. Times are
 * shown in the desk's zone.
 */
import { readdir } from "node:fs/promises";
import { DateTime } from "luxon";
import type { Policy } from "../policy/types.js";
import type { Db } from "../store/database.js";
import type { Case } from "../store/repos/cases.js";
import { listEventsAfter, listOutboxAfter, listRejectionsAfter } from "../store/repos/demo.js";
import { sourceWords } from "./table.js";

export const stamp = (at: number, zone: string): string => DateTime.fromMillis(at, { zone }).toFormat("ccc dd LLL HH:mm ZZZZ");

const EVENT_WORDS: Record<string, string> = {
  "customer-replied": "customer replied",
  "staff-replied": "staff replied",
  "workaround-provided": "workaround provided",
  "automatic-message": "automatic reply recorded on the case; nothing sent back",
  "command-rejected": "staff command rejected",
  "engineers-not-notified": "no engineer to tell of the new case",
};
/** Shown through the mail they cause, or too chatty for a timeline. */
const QUIET_EVENTS = new Set(["acknowledged", "reminder-queued", "engineers-notified"]);

export class TimelineReader {
  private lastEvent = 0;
  private lastOutbox = 0;
  private lastRejection = 0;

  constructor(
    private readonly db: Db,
    private readonly outboxDir: string,
    private readonly policies: Map<string, Policy>,
  ) {}

  /** Lines for everything that happened since the last call, oldest first. */
  async read(): Promise<string[]> {
    return [...(await this.rejections()), ...(await this.events()), ...(await this.mail())];
  }

  private async events(): Promise<string[]> {
    const rows = await listEventsAfter(this.db, this.lastEvent);
    this.lastEvent = rows.at(-1)?.id ?? this.lastEvent;
    return rows.filter((r) => !QUIET_EVENTS.has(r.kind)).map((r) => `#${r.c.number}  ${this.describe(r.kind, r.actor, r.data, r.c)}`);
  }

  private describe(kind: string, actor: string, data: Record<string, unknown>, c: Case): string {
    const severity = (id: unknown) => this.policies.get(c.policyId)?.severities.find((s) => s.id === id)?.name ?? String(id);
    switch (kind) {
      case "opened": {
        // The opened event keeps the severity as chosen then; the case row may have moved on since.
        const source = String(data.severitySource ?? c.severitySource);
        const head = `opened by ${actor} [${c.policyId}] ${c.caseType}, ${severity(data.severity ?? c.severity)} (${sourceWords(source)}) "${c.subject}"`;
        return source === "field" || source === "subject" ? head : `${head}\n${" ".repeat(26)}why: ${String(data.severityReason ?? "")}`;
      }
      case "severity-changed":
        return `severity ${severity(data.from)} → ${severity(data.severity)} by ${actor}`;
      case "status-changed":
        return `status ${String(data.from ?? "?")} → ${String(data.status)} by ${actor}`;
      case "assigned":
        return `assigned to ${String(data.email)}`;
      default:
        return `${EVENT_WORDS[kind] ?? kind}${actor !== "system" ? ` (${actor})` : ""}`;
    }
  }

  private async mail(): Promise<string[]> {
    const rows = await listOutboxAfter(this.db, this.lastOutbox);
    this.lastOutbox = rows.at(-1)?.row.id ?? this.lastOutbox;
    if (rows.length === 0) return [];
    const files = await readdir(this.outboxDir).catch(() => [] as string[]);
    return rows.map(({ row, number }) => {
      const file = files.find((f) => f.endsWith(`-${row.messageId.split("@")[0]!.slice(0, 8)}.eml`));
      const cc = row.cc.length ? ` cc ${row.cc.join(", ")}` : "";
      const where = file ? `outbox/${file}` : `not written yet (${row.state})`;
      const line = `${number === null ? "   " : `#${number}`}    ↳ ${row.kind} to ${row.to.join(", ")}${cc}: "${row.subject}"\n${" ".repeat(28)}${where}`;
      return row.kind === "digest" ? line + openBreachesOf(row.text) : line;
    });
  }

  private async rejections(): Promise<string[]> {
    const rows = await listRejectionsAfter(this.db, this.lastRejection);
    this.lastRejection = rows.at(-1)?.id ?? this.lastRejection;
    return rows.map((r) => `     ${r.disposition}: mail from ${r.from ?? "?"} (${r.reasonCode}${r.detail ? `: ${r.detail}` : ""})`);
  }
}

/** A digest's still-open breaches, one line each, read from its text part: they recur until met or resolved. */
function openBreachesOf(text: string): string {
  const rows = text.split("\n").filter((l) => /^#\d+\s.*\sstill open\s/.test(l));
  return rows.map((l) => `\n${" ".repeat(28)}still open: ${l.replace(/\s{2,}/g, " · ")}`).join("");
}
