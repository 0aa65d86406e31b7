/**
 * Scenario 4: malformed mail mixed with valid requests, appended to the running worker's folder (valid
 * request i after every malformed/valid-th hostile one). What Dovecot refuses over APPEND (raw NUL bytes,
 * some binary) and the 0-byte files are written straight into its Maildir folder, as a local delivery
 * agent would. The fault ends when the last mail is in the folder.
 */
import { execFileSync } from "node:child_process";
import { chown, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ImapFlow } from "imapflow";
import { SUPPORT } from "../../harness/support-address.js";
import { connect, stampedMessage } from "../ingest-append.js";
import { size, spawnWorker, started, stage, type Chaos } from "./env.js";
import { malformedMessage, type Kind } from "./malformed.js";
import { finish, type ScenarioResult } from "./report.js";

interface Delivery {
  appended: number;
  dropped: number;
  kinds: Partial<Record<Kind, number>>;
}

export async function malformedScenario(c: Chaos): Promise<ScenarioResult> {
  const malformed = size(c, 10_000, 60);
  const valid = size(c, 1_000, 10);
  const st = await stage(c, 4);
  const w = spawnWorker(c, st);
  await started(w);
  const t0 = Date.now();
  const d = await deliverMix(c, st.folder, malformed, valid);
  const faultEndedAt = Date.now();
  const kinds = Object.entries(d.kinds).map(([k, n]) => `${k} ${n}`).join(", ");
  return finish(c, st, {
    title: `${malformed} malformed mails mixed with ${valid} valid requests, appended to the running worker`,
    faultEnd: "the last mail was delivered",
    valid,
    malformed,
    faultEndedAt,
    notes: [
      `delivered in ${((faultEndedAt - t0) / 1000).toFixed(1)} s: ${d.appended} over IMAP APPEND, ${d.dropped} written into Dovecot's Maildir (APPEND refused them, or 0 bytes)`,
      `kinds: ${kinds}`,
    ],
  });
}

/** Malformed k and valid i interleaved, over 4 IMAP sessions. */
async function deliverMix(c: Chaos, folder: string, malformed: number, valid: number): Promise<Delivery> {
  const total = malformed + valid;
  const every = Math.max(1, Math.floor(total / valid));
  const d: Delivery = { appended: 0, dropped: 0, kinds: {} };
  let next = 0;
  let validNext = 0;
  let badNext = 0;
  const take = (): Buffer | null => {
    const slot = next++;
    if (slot >= total) return null;
    if ((slot % every === every - 1 && validNext < valid) || badNext >= malformed) return stampedMessage(validNext++, SUPPORT, Date.now());
    const m = malformedMessage(badNext++);
    d.kinds[m.kind] = (d.kinds[m.kind] ?? 0) + 1;
    return m.raw;
  };
  const session = async (client: ImapFlow) => {
    for (let raw = take(); raw !== null; raw = take()) {
      const ok = raw.length > 0 && (await client.append(folder, raw).then(() => true, () => false));
      if (ok) d.appended++;
      else await dropIntoMaildir(c, folder, raw, d.dropped++);
    }
  };
  const clients = await Promise.all(Array.from({ length: 4 }, () => connect(c.imap)));
  try {
    await Promise.all(clients.map(session));
  } finally {
    await Promise.all(clients.map((cl) => cl.logout().catch(() => cl.close())));
  }
  return d;
}

/** Maildir delivery into Dovecot's own store: tmp/, then renamed into new/, owned by the dovecot user. */
async function dropIntoMaildir(c: Chaos, folder: string, raw: Buffer, n: number): Promise<void> {
  const dir = join(c.dovecot.mailDir, `.${folder}`);
  const name = `${Date.now()}.chaos${process.pid}_${n}.localhost`;
  const tmp = join(dir, "tmp", name);
  await writeFile(tmp, raw);
  await chown(tmp, ...dovecotIds());
  await rename(tmp, join(dir, "new", name));
}

let ids: [number, number] | null = null;
function dovecotIds(): [number, number] {
  ids ??= [Number(execFileSync("id", ["-u", "dovecot"]).toString()), Number(execFileSync("id", ["-g", "dovecot"]).toString())];
  return ids;
}
