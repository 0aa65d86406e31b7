/**
 * Hostile mail for scenario 4: harness/malformed-mail.ts's kinds, sent from the same DTC addresses as the
 * valid requests (so a poison message could hold back a real customer's mail), with the sizes (a
 * 2 MB header line, 5,000-deep nesting). The two heavy kinds are 1% and 2% of the mix so a 10,000-mail run
 * stays a few hundred MB; the others share the rest evenly. Seeded, so every run appends the same mix.
 */
import { MALFORMED_KINDS, malformedMail, type MalformedKind } from "../../harness/malformed-mail.js";
import { prng } from "../../harness/prng.js";

export type Kind = MalformedKind;

const HEAVY: Partial<Record<Kind, number>> = { "huge-header-line": 0.01, "deep-nesting": 0.02 };
const LIGHT = MALFORMED_KINDS.filter((k) => HEAVY[k] === undefined);

/** The kind of malformed mail number k. */
export function kindOf(k: number): Kind {
  const r = prng(7919 * (k + 1))();
  let edge = 0;
  for (const [kind, share] of Object.entries(HEAVY) as Array<[Kind, number]>) {
    edge += share;
    if (r < edge) return kind;
  }
  return LIGHT[Math.floor(((r - edge) / (1 - edge)) * LIGHT.length)]!;
}

const sender = (k: number) => `Contact ${k % 97} <dtc${k % 97}@customer${k % 13}.example>`;

/** Malformed mail number k: its kind and its bytes. */
export function malformedMessage(k: number): { kind: Kind; raw: Buffer } {
  const kind = kindOf(k);
  return { kind, raw: malformedMail(kind, k, { from: sender(k), hugeHeaderBytes: 2 * 1024 * 1024, nestingDepth: 5000 }) };
}
