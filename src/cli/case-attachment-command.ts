/**
 * `support-inbox case attachment N ID [-o FILE] [--force]`: writes an attachment's original bytes, as stored from
 * the customer's mail, to a file (default: its own name in the current directory) or to stdout (`-o -`). An
 * existing file is never overwritten without --force. Bytes deleted by retention are gone: the command says when
 * and under which policy, and what is left (name, size, sha256).
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { formatBytes } from "../cases/present.js";
import { AppError } from "../errors.js";
import * as store from "../store/index.js";
import { caseNumber, out, withDatabase } from "./cli-support.js";

export function registerCaseAttachmentCommand(kase: Command): void {
  kase
    .command("attachment <number> <id>")
    .description("write an attachment's original bytes to a file (ids: see case show)")
    .option("-o, --output <file>", 'where to write it ("-" for stdout); default: its file name in the current directory')
    .option("--force", "overwrite the file if it exists")
    .addHelpText("after", "\nExamples:\n  support-inbox case attachment 12 7\n  support-inbox case attachment 12 7 -o /tmp/heap.hprof --force")
    .action(async (raw: string, rawId: string, o: { output?: string; force?: boolean }, command: Command) => {
      const number = caseNumber(raw);
      const id = Number(rawId);
      if (!Number.isInteger(id) || id <= 0) throw new AppError("E_INVALID", `"${rawId}" is not an attachment id (case show lists them)`);
      await withDatabase(command, async (db) => {
        const c = await store.requireCaseByNumber(db, number);
        const found = await store.getCaseAttachment(db, c.id, id);
        if (!found) throw new AppError("E_NOT_FOUND", `case #${number} has no attachment ${id} (case show ${number} lists its attachments)`);
        if (found.content === null) throw new AppError("E_GONE", await deletedMessage(db, c.id, number, found));
        const bytes = Buffer.from(found.content.buffer, found.content.byteOffset, found.content.byteLength);
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        if (sha256 !== found.sha256) throw new AppError("E_CORRUPT", `attachment ${id} of case #${number}: the stored bytes do not match their sha256 (${found.sha256}); nothing written`);
        if (o.output === "-") return void process.stdout.write(bytes);
        const file = o.output ?? safeName(found.filename, id);
        await write(file, bytes, o.force === true);
        const exact = `${bytes.length} bytes`;
        const size = formatBytes(bytes.length);
        out(`${file}: ${found.filename}, ${size === exact ? exact : `${size} (${exact})`}, sha256 ${sha256}`);
      });
    });
}

async function write(file: string, bytes: Buffer, force: boolean): Promise<void> {
  try {
    // "wx" fails when the file exists, with no window between a check and the write.
    await writeFile(file, bytes, { flag: force ? "w" : "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new AppError("E_EXISTS", `${file} already exists: give --force to overwrite it, or -o another file`, undefined, { cause: error });
    throw new AppError("E_FILE", `cannot write ${file}: ${(error as Error).message}`, undefined, { cause: error });
  }
}

/** The customer's file name, without any directory part or control characters; "attachment-ID" when nothing is left. */
export function safeName(filename: string, id: number): string {
  const name = basename(filename.replace(/\\/g, "/")).replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return name === "" || name === "." || name === ".." ? `attachment-${id}` : name;
}

async function deletedMessage(db: store.Db, caseId: number, number: number, a: { id: number; filename: string; size: number; sha256: string }): Promise<string> {
  const purge = (await store.listEvents(db, caseId)).filter((e) => e.kind === "attachments-purged").at(-1);
  const why = purge
    ? ` on ${purge.at.toISOString()} under policy ${String(purge.data.policy)}'s retention (${String(purge.data.days)} days after the case closed or the contract ended)`
    : "";
  return `attachment ${a.id} of case #${number} (${a.filename}, ${formatBytes(a.size)}) was deleted by retention${why}; only its record is kept: sha256 ${a.sha256}`;
}
