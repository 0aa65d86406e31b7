/**
 * The ingest bench's SMTP server (bench/ingest-smtp-child.ts, a child process) and what the bench reads
 * from it: every accepted message, its acceptance time, and the bench message it acknowledges.
 */
import { fork, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../harness/free-port.js";
import type { Accepted } from "./ingest-smtp-child.js";

export type { Accepted };

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "ingest-smtp-child.ts");

export interface AckSink {
  port: number;
  pid: number;
  accepted(): Promise<Accepted[]>;
  close(): Promise<void>;
}

export async function startAckSink(): Promise<AckSink> {
  const port = await freePort();
  const child: ChildProcess = fork(CHILD, [String(port)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(m);
      };
      const onExit = (code: number | null) => reject(new Error(`the bench's SMTP server exited (code ${code}) before answering ${type}`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  await next("listening");
  return {
    port,
    pid: child.pid!,
    async accepted() {
      const reply = next("report");
      child.send({ type: "report" });
      return (await reply).accepted as Accepted[];
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "close" });
      await exited;
    },
  };
}

/** Acceptances per Message-ID seen more than once: a mail the service sent twice. */
export function duplicates(accepted: Accepted[]): string[] {
  const seen = new Map<string, number>();
  for (const a of accepted) seen.set(a.messageId, (seen.get(a.messageId) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
}
